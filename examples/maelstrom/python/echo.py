#!/usr/bin/env python3
"""Maelstrom echo node (correct): answers {"type":"echo","echo":X} with echo_ok and the same X."""

from node import Node

node = Node()


@node.on("echo")
def echo(msg):
    node.reply(msg, {"type": "echo_ok", "echo": msg["body"]["echo"]})


node.run()
