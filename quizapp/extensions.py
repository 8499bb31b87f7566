"""Unbound extension objects, initialised in the app factory so nothing imports the app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
# Counters live in memory (per worker) unless RATELIMIT_STORAGE_URI names a shared store such as
# Redis. Addresses, and keyed hashes of the usernames tried at sign-in (quizapp/auth/views.py),
# are used only as counter keys in that store and expire with them.
limiter = Limiter(get_remote_address, default_limits=[], headers_enabled=False)
