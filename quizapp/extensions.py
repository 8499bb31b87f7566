"""Unbound extension objects, initialised in the app factory so nothing imports the app."""

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
