"""Problems found in records: one shape for every stage, so they can be collected and reported together."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import yaml


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong in a record file, located as precisely as the stage can."""

    file: str
    line: int
    column: int
    field: str
    message: str
    hint: str = ""
    code: str = "invalid"
    severity: str = "error"
    value: Any = field(default=None, compare=False)  # the offending value, where there is one

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def field_name(path: tuple[str | int, ...] | list[str | int]) -> str:
    """`("indicators", 3, "value")` → `indicators[3].value`, the way contributors see fields."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def show_number(value: int | float) -> str:
    """A number as a message shows it: in full, unless it is too long to read (10^400)."""
    text = repr(value) if isinstance(value, float) else str(value) if abs(value) < 10 ** 30 else ""
    if text and len(text) <= 30:
        return text
    digits = str(abs(value))
    return f"{'-' if value < 0 else ''}{digits[0]}.{digits[1:4]}…×10^{len(digits) - 1}（共 {len(digits)} 位）"


# PyYAML's English problem texts, and what they usually mean for someone new to YAML.
_YAML_MESSAGES = [
    ("mapping values are not allowed",
     "这里不能出现“键: 值”",
     "常见原因：上一行缩进不对，或一段文字里有英文冒号加空格（“: ”）却没有给整段加引号。"),
    ("could not find expected ':'",
     "缺少冒号（“字段名: 值”）",
     "检查这一行或上一行：字段名后面要有英文冒号和一个空格；多行文字请用“|”开头。"),
    ("did not find expected key",
     "缩进不一致",
     "同一层的字段要对齐，列表项“- ”也要对齐；请检查这一行和上一行的空格数。"),
    ("did not find expected '-' indicator",
     "列表缩进不一致",
     "同一个列表的每一项都要以同样缩进的“- ”开头。"),
    ("expected <block end>",
     "缩进不一致",
     "同一层的字段要对齐；请检查这一行前面的空格数。"),
    ("found unexpected end of stream",
     "引号或括号没有闭合，文件就结束了",
     "检查引号（\"或'）和方括号是否成对。"),
    ("found character '\\t'",
     "这里有 Tab 字符",
     "YAML 只能用空格缩进：请把 Tab 换成空格。"),
    ("found unknown escape character",
     "双引号里的反斜杠“\\”写法不对",
     "如果不需要转义，请改用单引号，或把“\\”写成“\\\\”。"),
    ("found invalid Unicode character escape code",
     "双引号里的“\\u”转义不是有效的字符",
     "“\\uD800”到“\\uDFFF”之间的代码不代表任何字符；请删去这个转义，或直接写出要用的字。"),
    ("found undefined alias",
     "不允许使用别名（*）",
     "请把要重复的内容直接写出来。"),
    ("expected a single document",
     "一个文件只能有一个记录",
     "请删去文件中间的“---”分隔线，或把多个记录拆成多个文件。"),
    ("did not find expected ',' or ']'",
     "方括号里的列表写法不对",
     "方括号列表的各项之间用英文逗号分隔，并以“]”结束；含逗号或冒号的文字请加引号。"),
    ("did not find expected ',' or '}'",
     "花括号里的写法不对",
     "花括号里的各项之间用英文逗号分隔，并以“}”结束；含逗号或冒号的文字请加引号。"),
    ("while scanning a tag",
     "以 ! 开头的写法会被当作 YAML 标签",
     "如果这是正文里的感叹号，请给整段文字加上引号。"),
    ("while scanning a simple key",
     "缺少冒号（“字段名: 值”）",
     "检查这一行：字段名后面要有英文冒号和一个空格。"),
]


def yaml_problem(rel: str, error: yaml.MarkedYAMLError) -> Problem:
    """Translate a PyYAML error into a Chinese problem at the position PyYAML points to."""
    raw = " ".join(part for part in (error.context, error.problem) if part)
    # An unclosed quote or bracket is found at the end of the file; point at where it opened.
    opened = "end of stream" in (error.problem or "") and error.context_mark is not None
    mark = error.context_mark if opened else (error.problem_mark or error.context_mark)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    for needle, message, hint in _YAML_MESSAGES:
        if needle in raw:
            return Problem(rel, line, col, "", f"YAML 语法错误：{message}", hint=hint, code="yaml-syntax")
    return Problem(rel, line, col, "", f"YAML 语法错误（{raw}）",
                   hint="请对照已有案例检查这一行的缩进、冒号和引号。", code="yaml-syntax")
