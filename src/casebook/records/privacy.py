"""Personal data in records: ID-card numbers, mobile numbers, names of poverty-registered households.

The library is published. Ordinary people, above all the households registered as poor
(建档立卡户), must never be identifiable from it (Personal Information Protection Law of the PRC),
so any of these in any value of any record is an error, located at the line and column of the
match itself. Messages show the match masked, because validation logs of pull requests are public.

How each kind is recognised, and what keeps false alarms away:

- ID-card numbers: 18 digits (the last may be X) with a real province code, a real birth date
  and a correct ISO 7064 MOD 11-2 check digit; the old 15-digit form with a real province code
  and birth date. Never part of a longer run of digits or letters, so figures such as
  680000000 or 7320000000 and ids in URLs are not taken for one.
- Mobile numbers: 1[3-9] and nine more digits (spaces or hyphens allowed as 3-4-4, +86 allowed),
  not part of a longer number, not followed by a unit (元, 人, 户, 亩 …: 13800000000元 is a
  figure) and not inside a URL. Checked in text only: a number field holds figures.
- Household names: a label (贫困户, 建档立卡户, 脱贫户, 低保户, 监测户, 户主 …) followed by a
  2–3 character name that starts with a common Chinese surname, or such a name directly before 户
  in a sentence about poverty or assistance ("结对帮扶张三户"). The name must end where a name
  ends (punctuation, or a word such as 家, 说, 一家) and contain no character that names do not
  (收, 入, 村, 部 …), which rules out phrases like 贫困户全部入社 or 高收入户. Anonymised forms
  (张某, 李某某, 王XX) are what contributors should write, and are never flagged.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from casebook.records.load import Document, leaves, scalars
from casebook.records.problems import Problem, field_name

_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82", "83", "91",
}
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z.+])(?:\+?86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?![0-9A-Za-z]|\.\d)")
_UNITS = set("元人户亩个万亿千百十%‰吨米辆天年次家名项所座条套间头只台")
_URL = re.compile(r"https?://\S+")
# Cheap tests that rule out almost every value before the detailed patterns run.
_DIGITS = re.compile(r"\d\d\d[-\s]?\d\d\d\d")  # every ID number and mobile number holds this
_HOUSEHOLD_WORDS = re.compile("户|对象|家庭")
_SENTENCE_ENDS = "。！？\n"
_SENTENCE_END = re.compile(f"[{_SENTENCE_ENDS}]")

# The most common Chinese surnames (about nine in ten people), and two-character ones.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦"
    "俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房"
    "滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟"
    "应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐"
    "冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖"
    "漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭"
    "况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸"
    "奉植衡富尧闭由"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "皇甫", "令狐", "慕容", "尉迟", "公孙", "长孙",
                      "宇文", "夏侯", "端木", "司徒", "独孤", "南宫", "西门")
# Characters that do not occur in personal names but do in the phrases that follow these labels.
_NOT_IN_NAMES = set(
    "某XxＸ×*＊〇○甲乙丙丁户村镇乡县市州省组社区级类型数均部面率比例的了是在和与及或等为以对把被将"
    "从向到给于由因而就也都还又再更最很已未不没无要能可应该需让使得着过去说讲问答写做干作帮扶结脱"
    "贫困难低监测边缘特困档卡贷款收入覆盖产品业务点重种养殖加工企场所站队党团委办局厅处科"
    "室院校量体员多少些期间内外上下前后年月日时头家人"
)
_LABELS = ("建档立卡贫困户", "建档立卡户", "贫困户", "脱贫户", "低保户", "五保户", "特困户", "监测户",
           "边缘户", "困难户", "监测对象", "帮扶对象", "贫困家庭", "户主")
_LABEL_NAME = re.compile(f"(?:{'|'.join(_LABELS)})[：:]?")
_NAME_END = set("家户说等讲告一今夫老靠的在是现每") | set("，。、；：！？“”\"'（）()[]【】 \n\t—…·,.;:!?")
_HOUSEHOLD_CONTEXT = re.compile("贫困|脱贫|建档立卡|低保|五保|特困|监测|帮扶|结对|走访|包保|联系户")
_BEFORE_HOUSEHOLD = ("帮扶", "结对", "走访", "联系", "包保", "慰问", "对", "给", "为", "、", "和",
                     "与", "及", "到", "，", "：")

HINT = ("本库公开发布，依照《个人信息保护法》不得出现普通群众、特别是脱贫户和困难家庭的身份证号、"
        "电话、姓名等能认出具体个人的信息。请删去，或改写成“一户脱贫户”“李某”。")


def _valid_birth(year: int, month: int, day: int) -> bool:
    try:
        return dt.date(1900, 1, 1) <= dt.date(year, month, day) <= dt.date(2100, 12, 31)
    except ValueError:
        return False


def is_id_number(text: str) -> bool:
    """A PRC resident ID number: province code, birth date and (18 digits) check digit all valid."""
    if text[:2] not in _PROVINCES:
        return False
    if len(text) == 15:
        return text.isdigit() and _valid_birth(1900 + int(text[6:8]), int(text[8:10]), int(text[10:12]))
    if len(text) != 18 or not text[:17].isdigit():
        return False
    if not _valid_birth(int(text[6:10]), int(text[10:12]), int(text[12:14])):
        return False
    check = "10X98765432"[sum(int(d) * w for d, w in zip(text[:17], _WEIGHTS, strict=True)) % 11]
    return text[17].upper() == check


def _mask(text: str, keep: int) -> str:
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


def find_personal_data(text: str, *, figure: bool = False) -> Iterator[tuple[int, str, str]]:
    """(offset, what, masked) of each piece of personal data in `text`.

    `figure`: the text is a number from a number field, where only an ID number can hide.
    """
    if _DIGITS.search(text):
        yield from _numbers(text, figure)
    if not figure and _HOUSEHOLD_WORDS.search(text):
        yield from _household_names(text)


def _numbers(text: str, figure: bool) -> Iterator[tuple[int, str, str]]:
    for match in _ID_NUMBER.finditer(text):
        if is_id_number(match.group()):
            yield match.start(), "身份证号", _mask(match.group(), 4)
    if figure:
        return
    urls = [m.span() for m in _URL.finditer(text)]
    for match in _MOBILE.finditer(text):
        end = match.end()
        if end < len(text) and text[end] in _UNITS:
            continue
        if any(start <= match.start() < stop for start, stop in urls):
            continue
        digits = "".join(match.groups())
        yield match.start(), "手机号码", digits[:3] + "****" + digits[-4:]


def _name_at(text: str, start: int) -> str | None:
    """The personal name that starts at `start`, if one plausibly does."""
    for surname in (*_COMPOUND_SURNAMES, *text[start: start + 1]):
        if not text.startswith(surname, start) or (len(surname) == 1 and surname not in _SURNAMES):
            continue
        for given in (1, 2):
            end = start + len(surname) + given
            name = text[start:end]
            after = text[end: end + 1]
            if len(name) != len(surname) + given or any(c in _NOT_IN_NAMES for c in name[len(surname):]):
                continue
            if not all("\u4e00" <= c <= "\u9fff" for c in name):
                continue
            if after == "" or after in _NAME_END:
                return name
    return None


def _household_names(text: str) -> Iterator[tuple[int, str, str]]:
    seen: set[int] = set()
    for match in _LABEL_NAME.finditer(text):
        name = _name_at(text, match.end())
        if name and match.end() not in seen:
            seen.add(match.end())
            yield match.end(), "贫困户姓名", name[0] + "*" * (len(name) - 1)
    # Each 户 in a sentence (a run between 。！？ and line breaks) that speaks of households.
    # Sentences only move forward, so each search for the start of one looks back no further
    # than the start of the last.
    in_context: dict[int, bool] = {}
    sentence = 0
    for household in re.finditer("户", text):
        end = household.start()
        sentence = max(sentence, *(text.rfind(mark, sentence, end) + 1 for mark in _SENTENCE_ENDS))
        if sentence not in in_context:
            stop = _SENTENCE_END.search(text, end)
            in_context[sentence] = bool(_HOUSEHOLD_CONTEXT.search(text, sentence,
                                                                  stop.start() if stop else len(text)))
        if not in_context[sentence]:
            continue
        for length in (2, 3, 4):
            start = end - length
            if start < sentence or start in seen:
                continue
            before = text[max(0, start - 2): start]
            if start != sentence and not before.endswith(_BEFORE_HOUSEHOLD):
                continue
            name = _name_at(text, start)
            if name and start + len(name) == end:
                seen.add(start)
                yield start, "贫困户姓名", name[0] + "*" * (len(name) - 1)


def _strings(value: Any) -> Iterator[tuple[tuple[str | int, ...], str, bool]]:
    """Texts, and whole numbers as text (an id or phone number typed as a number), with paths."""
    for path, item in scalars(value):
        if isinstance(item, str):
            yield path, item, False
        elif isinstance(item, int) and not isinstance(item, bool):
            yield path, str(item), True


def joined_texts(values: list[Any]) -> str:
    """A record's text values (from `leaves`) joined by line breaks, for quick looks at all."""
    return "\n".join(v for v in values if isinstance(v, str))


def may_hold_personal_data(values: list[Any], texts: str | None = None) -> bool:
    """A quick look over all of a record's values at once, joined by line breaks (`texts`, from
    `joined_texts`, when the caller has them).

    Every detector stops at a line break, so whatever it finds in one value it also finds in the
    joined text; a yes only means the careful value-by-value search runs.
    """
    texts = joined_texts(values) if texts is None else texts
    figures = "\n".join(str(v) for v in values if isinstance(v, int) and not isinstance(v, bool))
    return (next(find_personal_data(texts), None) is not None
            or next(find_personal_data(figures, figure=True), None) is not None)


def personal_data_problems(doc: Document, values: list[Any] | None = None,
                           texts: str | None = None) -> list[Problem]:
    """One error per piece of personal data in any value of the document, where it stands.

    `values`: the document's `leaves`, and `texts` their `joined_texts`, when the caller has them.
    """
    if not may_hold_personal_data(leaves(doc.data) if values is None else values, texts):
        return []
    problems = []
    source: str | None = None
    for path, text, figure in _strings(doc.data):
        for offset, what, masked in find_personal_data(text, figure=figure):
            if source is None:
                source = doc.path.read_text(encoding="utf-8-sig")
            line, col = locate(source, doc.mark(path), text, offset)
            name = field_name(path) or "整个文件"
            problems.append(Problem(
                doc.rel, line, col, field_name(path),
                f"{name}：疑似写入了个人信息（{what} {masked}）", hint=HINT, code="personal-data"))
    return problems


def locate(source: str, mark: tuple[int, int], value: str, offset: int) -> tuple[int, int]:
    """Line and column of the match in the file: the value's own mark, refined within its text."""
    lines = source.split("\n")
    line, col = mark
    start = sum(len(x) + 1 for x in lines[: line - 1]) + col - 1
    # The match's text up to the end of its line, as it appears in the file (block or plain).
    needle = value[offset:].split("\n", 1)[0][:40]
    found = source.find(needle, start) if needle else -1
    if found < 0:
        return mark
    found_line = source.count("\n", 0, found) + 1
    return found_line, found - (source.rfind("\n", 0, found) + 1) + 1
