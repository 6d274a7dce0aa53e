import os

from flask import Flask, jsonify, request
from pymongo import MongoClient


def secret(name):
    with open(os.environ[name + "_FILE"]) as f:
        return f.read().strip()


app = Flask(__name__)
db = MongoClient(
    host=os.environ.get("MONGO_HOST", "mongo"),
    port=int(os.environ.get("MONGO_PORT", "27017")),
    username=secret("MONGO_USER"),
    password=secret("MONGO_PASSWORD"),
)[os.environ.get("MONGO_DB", "users")]


@app.get("/users")
def users():
    return jsonify([{"name": u["name"]} for u in db.users.find()])


@app.post("/users")
def add_user():
    db.users.insert_one({"name": request.json["name"]})
    return {"ok": True}, 201
