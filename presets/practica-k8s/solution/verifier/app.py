"""verifier: checks the JWTs creator issues, with the key keycreator left in /key/key."""
import jwt
from flask import Flask, jsonify, request

app = Flask(__name__)


def key():
    with open("/key/key") as f:
        return f.read().strip()


@app.get("/verify")
def verify():
    token = request.args.get("token", "")
    try:
        claims = jwt.decode(token, key(), algorithms=["HS256"])
    except jwt.PyJWTError as e:
        return jsonify(valid=False, error=str(e)), 401
    return jsonify(valid=True, claims=claims)


@app.get("/health")
def health():
    key()
    return "ok"
