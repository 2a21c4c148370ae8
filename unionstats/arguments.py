"""argparse in Chinese: the CLI's users read Chinese, and argparse writes its usage errors, usage
line and help headings in English. The parser below says them in Chinese (exit code 2, one line
after the usage, no traceback); a message it does not know is passed on as argparse wrote it."""
from __future__ import annotations

import argparse
import re
import sys

USAGE_ERROR = 2
_NAMES = {"command": "命令"}  # the subcommand's dest, as argparse names it in its messages
_TYPES = {"int": "整数", "float": "数字"}


def _names(text: str) -> str:
    """"--year, --out" or "'zh', 'en'" as a Chinese list: --year、--out / zh、en."""
    items = [item.strip().strip("'\"") for item in re.split(r",\s*", text) if item.strip()]
    return "、".join(_NAMES.get(item, item) for item in items)


def _value(text: str) -> str:
    return text.strip().strip("'\"")


# (argparse's message, Python 3.11–3.13 wording) → Chinese; the groups are its fields
_MESSAGES = [
    (r"invalid choice: (.+?) \(choose from (.+)\)", lambda m: f"只能是 {_names(m[2])} 之一，不是 {_value(m[1])}"),
    (r"the following arguments are required: (.+)", lambda m: f"缺少必需的参数：{_names(m[1])}"),
    (r"unrecognized arguments: (.+)", lambda m: f"无法识别的参数：{m[1]}"),
    (r"invalid (\w+) value: (.+)", lambda m: f"应为{_TYPES.get(m[1], '有效的值')}，不是 {_value(m[2])}"),
    (r"expected one argument", lambda m: "后面缺少取值"),
    (r"expected at least one argument", lambda m: "后面至少要有一个取值"),
    (r"expected (\d+) arguments?", lambda m: f"后面应有 {m[1]} 个取值"),
    (r"not allowed with argument (.+)", lambda m: f"不能与 {m[1]} 同用"),
    (r"ambiguous option: (\S+) could match (.+)", lambda m: f"选项 {m[1]} 不明确，可能是：{_names(m[2])}"),
    (r"one of the arguments (.+) is required", lambda m: f"须指定其中之一：{m[1].replace(' ', '、')}"),
    (r"ignored explicit argument (.+)", lambda m: f"不接受取值 {_value(m[1])}"),
]


def chinese(message: str) -> str:
    """argparse's error message in Chinese: 'argument --lang: invalid choice: …' → '参数 --lang：只能是 …'."""
    argument = re.fullmatch(r"argument (\S+?): (.*)", message, re.S)
    if argument:
        name = _NAMES.get(argument[1], f"参数 {argument[1]}")
        return f"{name}：{chinese(argument[2])}"
    for pattern, say in _MESSAGES:
        match = re.fullmatch(pattern, message, re.S)
        if match:
            return say(match)
    return message  # a type function's own message (already Chinese), or one argparse added later


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors, usage line and help headings are Chinese; its
    subcommands' parsers are of the same class (add_subparsers uses the parent's class)."""

    def __init__(self, *args, add_help: bool = True, **kwargs):
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示帮助并退出")

    def format_usage(self) -> str:
        return _usage(super().format_usage())

    def format_help(self) -> str:
        return _usage(super().format_help())

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"错误：{chinese(message)}（查看帮助：{self.prog} -h）\n")


def _usage(text: str) -> str:
    return "用法：" + text[len("usage: "):] if text.startswith("usage: ") else text
