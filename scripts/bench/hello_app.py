"""The reference for `make bench`: the smallest Flask app, served the same way as quizapp."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
