"""Dependencies every feature may use."""

from typing import Annotated

from fastapi import Depends, Request

from .config import Settings


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.services.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
