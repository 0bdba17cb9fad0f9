"""User files: upload tickets, completion checks, download links, and the storage backends."""
