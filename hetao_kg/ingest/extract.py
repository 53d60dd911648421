"""The extractor: from one normalized sentence to proposals, each with the words that
found it (span), the clause it would be quoted by (quote), the rule and a confidence.

Rules, in the order they run:

* **mentions** of known entities: leftmost-longest match of every name in the
  :class:`~hetao_kg.ingest.lexicon.Lexicon` (Latin names only at word boundaries, and
  Latin runs also through their toneless pinyin key);
* **new entities**: titles in 《》 (policies and documents), names ending in an
  institution word (大学, 研究院, 中心, 平台, 基地, 孵化器, 项目, 总部 …) whose left edge is
  the list or clause boundary, with leading verbs trimmed by jieba's part-of-speech
  tags, and list items before a head noun (``A、B等重点产业方向`` -> sectors);
* **statuses**: the status vocabulary's words (with their modifiers 已/正在/加快 …)
  governing the list of mentions just before them, or, for policy words (出台, 推出 …),
  the mention right after;
* **figures** (Arabic or Chinese numerals, 万/亿, 约/超过/余/多, units) and **dates**
  (年/月/日; a partial date stays partial);
* **links** for the ontology's properties: the park named before a name (locatedIn),
  ``X方面`` (inSector), a university's name opening a project's (broughtInBy), an
  organisation's name opening a platform's (platformOf), a centre that 推出 services
  (offersService), mechanisms listed before 实施细则 (implements), and, when the curator
  says what the report is about (``about``), locatedIn for what arrived or is built.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD
from rdflib.namespace import SDO as SCHEMA

from ..namespaces import HTO, KG
from ..source.normalize import Sentence
from .lexicon import Lexicon

__all__ = ["Proposal", "Extractor", "clauses", "parse_figure", "parse_date"]

_DELIMS = "，,；;：:。！？!?"
_FIGURE_NS = str(KG["figure/"])
_HAN = r"\u3400-\u9fff"


@dataclass
class Proposal:
    """One machine proposal. ``start``/``end``: the words that found it; ``quote_start``/
    ``quote_end``: the clause a curated assertion would quote (document offsets)."""

    id: str
    kind: str  # mention | new-entity | status | figure | date | link
    sentence: str
    start: int
    end: int
    text: str
    quote_start: int
    quote_end: int
    quote: str
    rule: str
    confidence: float
    triples: list = field(default_factory=list)
    entity: URIRef | None = None
    label: str | None = None
    cls: URIRef | None = None
    evidence: URIRef = HTO.StatedInSource
    comment: str | None = None
    depends: tuple[str, ...] = ()

    def signature(self) -> str:
        """What is proposed, independent of ids and of the document: kind, quote, words and what the
        triples say (for remembering rejections across reports)."""
        def obj(o) -> str:
            return "figure" if str(o).startswith(_FIGURE_NS) else o.n3()

        parts = sorted(f"{p.n3()} {obj(o)}" for _, p, o in self.triples)
        return "\t".join([self.kind, self.quote, self.text, self.label or "", *parts])


@dataclass
class _Mention:
    start: int  # sentence-relative
    end: int
    entity: URIRef
    label: str
    cls: URIRef | None
    new: bool
    how: str
    proposal: str = ""


def clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans of a sentence: split at commas, semicolons, colons and the end mark.

    >>> [("一,二。"[a:b]) for a, b in clauses("一,二。")]
    ['一', '二']
    """
    out, i = [], 0
    for m in re.finditer(f"[{_DELIMS}]", text):
        if m.start() > i:
            out.append((i, m.start()))
        i = m.end()
    if i < len(text):
        out.append((i, len(text)))
    return out


# --- figures and dates ------------------------------------------------------------------

_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_UNITS = ["平方公里", "平方米", "万平方米", "公顷", "亿元", "万元", "元", "项", "个", "家", "所", "名", "人",
          "位", "条", "套", "栋", "座", "台", "件", "场", "次", "支"]
_UNIT_CODES = {"平方米": "MTK", "平方公里": "KMK", "人": "IE", "名": "IE", "位": "IE"}
_FIGURE = re.compile(
    rf"(?P<pre>约|近|超过|逾|多于|达到?|共|累计|总计)?"
    rf"(?P<num>\d+(?:[.,]\d+)*|[{_CN_DIGITS}]+)"
    rf"(?P<mult>万|亿)?(?P<post>余|多)?"
    rf"(?P<unit>{'|'.join(sorted(_UNITS, key=len, reverse=True))})"
    rf"(?P<after>以上|左右)?"
)
_DATE = re.compile(
    r"(?P<y>\d{4}|[〇零一二三四五六七八九]{4})年"
    r"(?:(?P<m>\d{1,2}|十[一二]?|[一二三四五六七八九])月"
    r"(?:(?P<d>\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])日)?)?"
)


def _cn_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    try:
        import cn2an

        value = cn2an.cn2an(text, "smart")
    except Exception:  # cn2an raises ValueError and others on what is not a numeral
        return None
    return int(value) if float(value).is_integer() else None


def parse_figure(m: re.Match) -> tuple[Decimal | int, str, str] | None:
    """(value, qualifier, unit) of a figure match, or None when it is not a figure.

    >>> parse_figure(_FIGURE.search("约60万平方米"))
    (600000, 'about', '平方米')
    >>> parse_figure(_FIGURE.search("超过500人"))
    (500, 'more-than', '人')
    >>> parse_figure(_FIGURE.search("三百余家"))
    (300, 'more-than', '家')
    """
    num = m.group("num")
    if re.fullmatch(r"[\d.,]+", num):
        value: Decimal | int = Decimal(num.replace(",", ""))
    else:
        n = _cn_number(num)
        if n is None:
            return None
        value = Decimal(n)
    if m.group("mult"):
        value *= 10000 if m.group("mult") == "万" else 100000000
    value = int(value) if value == int(value) else value
    pre, post, after = m.group("pre") or "", m.group("post") or "", m.group("after") or ""
    if pre in ("约", "近") or after == "左右":
        qualifier = "about"
    elif pre in ("超过", "逾", "多于") or post or after == "以上":
        qualifier = "more-than"
    else:
        qualifier = "exactly"
    return value, qualifier, m.group("unit")


def parse_date(m: re.Match) -> Literal | None:
    """An xsd date literal as precise as the text: a year, a year and month, or a day.

    >>> parse_date(_DATE.search("2023年5月"))
    rdflib.term.Literal('2023-05', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#gYearMonth'))
    >>> str(parse_date(_DATE.search("二〇二四年")))
    '2024'
    """
    y = m.group("y")
    year = int(y) if y.isdigit() else int("".join(str("〇一二三四五六七八九".index(c.replace("零", "〇"))) for c in y))
    if not 1900 <= year <= 2200:
        return None
    month = _cn_number(m.group("m")) if m.group("m") else None
    day = _cn_number(m.group("d")) if m.group("d") else None
    if month is not None and not 1 <= month <= 12 or day is not None and not 1 <= day <= 31:
        return None
    if day:
        return Literal(f"{year:04d}-{month:02d}-{day:02d}", datatype=XSD.date)
    if month:
        return Literal(f"{year:04d}-{month:02d}", datatype=XSD.gYearMonth)
    return Literal(f"{year:04d}", datatype=XSD.gYear)


# --- new entities: name endings and their classes ---------------------------------------

#: (ending, class, IRI folder); longest ending first wins
_ENDINGS = [
    ("转化医学研究中心", "ResearchInstitute", "org"), ("研究中心", "ResearchInstitute", "org"),
    ("研发中心", "RnDCentre", "project"), ("创新中心", "ResearchInstitute", "org"),
    ("科学中心", "ResearchInstitute", "org"), ("服务中心", "ServiceCentre", "org"),
    ("分中心", "RegionalBranchCentre", "org"), ("仲裁中心", "LegalInstitution", "org"),
    ("交流合作平台", "ArbitrationPlatform", "org"), ("交易平台", "ServicePlatform", "org"),
    ("服务平台", "ServicePlatform", "org"), ("平台", "ServicePlatform", "org"),
    ("研究院", "ResearchInstitute", "org"), ("研究所", "ResearchInstitute", "org"),
    ("实验室", "ResearchInstitute", "org"), ("分院", "ResearchInstitute", "org"),
    ("大学", "University", "org"), ("学院", "University", "org"), ("医院", "Hospital", "org"),
    ("孵化器", "IncubationBase", "org"), ("创业空间", "IncubationBase", "org"),
    ("创新创业基地", "IncubationBase", "org"), ("基地", "IncubationBase", "org"),
    ("总部", "CompanyUnit", "org"), ("办公室", "Facility", "facility"), ("屋", "ServiceCentre", "org"),
    ("改造项目", "ConstructionProject", "project"), ("建设项目", "ConstructionProject", "project"),
    ("防治项目", "ResearchProject", "project"), ("项目", "ResearchProject", "project"),
    ("创新园", "ConstructionProject", "project"), ("大楼", "ConstructionProject", "project"),
    ("综合业务楼", "ConstructionProject", "project"), ("通道建设", "ConstructionProject", "project"),
    ("生活区改造", "ConstructionProject", "project"), ("中心", "ResearchInstitute", "org"),
    ("局", "GovernmentAgency", "org"), ("合作安排", "CooperationArrangement", "policy"),
    ("框架协议", "FrameworkAgreement", "policy"), ("政策包", "JointPolicyPackage", "policy"),
    ("实施细则", "ImplementingRules", "policy"), ("公寓", "Facility", "facility"), ("大厦", "Facility", "facility"),
    ("科创园", "ConstructionProject", "project"), ("科技", "Company", "org"),
]
_ENDING_RE = re.compile("|".join(re.escape(e) for e, _, _ in sorted(_ENDINGS, key=lambda x: -len(x[0]))))
_ENDING = {e: (c, f) for e, c, f in _ENDINGS}

_POLICY_ENDINGS = [("规划纲要", "DevelopmentPlan"), ("规划", "DevelopmentPlan"), ("投融资方案", "InvestmentFinancingPlan"),
                   ("实施细则", "ImplementingRules"), ("细则", "ImplementingRules"), ("框架协议", "FrameworkAgreement"),
                   ("合作安排", "CooperationArrangement"), ("政策包", "JointPolicyPackage"), ("", "PolicySupport")]

#: list heads: "A、B等(N个)…HEAD" gives A and B the head's class
_HEADS = [("产业方向", "Sector", "sector"), ("重点产业", "Sector", "sector"), ("特色服务", "Service", "service"),
          ("服务", "Service", "service"), ("机制", "ResearchManagementMechanism", "policy")]

_FOLDER = {"DevelopmentPlan": "policy", "InvestmentFinancingPlan": "policy", "ImplementingRules": "policy",
           "FrameworkAgreement": "policy", "CooperationArrangement": "policy", "JointPolicyPackage": "policy",
           "PolicySupport": "policy"}

# words that make a name generic rather than a name ("重大投资项目", "优质科研项目")
_GENERIC = set("重大 重点 优质 一批 相关 各类 高品质 国家级 特色 科研 创新 投资 一系列 这些 有关 多个 首批 港澳 "
               "国际组织 新 该 本 其 各 多 等 项目 中心 平台 基地 空间 服务".split())
# leading words of a clause that are not part of a name (verbs and adverbs before it)
_LEAD_FLAGS = {"v", "p", "c", "d", "u", "r", "m", "q", "ad", "t", "y", "e", "z", "vn", "uj", "ul", "ud", "ug",
               "uz", "uv", "vd", "vg", "dg", "mq", "tg", "rr", "rz"}
# verbs that end the words before a name inside what looks like one ("广东省携手港澳推进…平台")
_STRONG_VERBS = re.compile("推进|携手|打造|坚持|坚守|明确|出台|引进|建立|实现|推出|聚焦|发挥|加快|拓展|推动|引领|带动|促进|"
                           "围绕|依托|支持|吸引|汇聚|筹集|整备|供给|建设(?=[\u4e00-\u9fff]{4})")
_ALLOWED_LEAD = {"深港", "新", "香港", "深圳", "国家", "粤港澳", "金砖国家", "开放", "科创", "联合"}

_STATUS_MODIFIERS = re.compile(
    r"(?:均已|已经|已|正在|正|将|均)?(?:加快推进|加快|开展|顺利|正式|全面|基本|陆续|有序|完成)?(?:场地|项目单位实体|项目单位)?$")
_POLICY_SCHEME_WORDS = ("出台", "印发", "发布", "推出", "签署", "签约")


def _garbled(name: str) -> bool:
    """A lost character (``?gòu)``) or a stray bracket is no part of a name."""
    return "?" in name or name.count(")") > name.count("(") or "+" in name


def _slug(label: str) -> str:
    from pypinyin import lazy_pinyin

    parts = [re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in lazy_pinyin(label)]
    slug = "-".join(p for p in parts if p)
    return slug[:60].rstrip("-") or "x"


def _jieba():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba, jieba.posseg


class Extractor:
    """Turns sentences into proposals with a lexicon; numbering runs across calls."""

    def __init__(self, lexicon: Lexicon, *, doc_id: str, about: URIRef | None = None,
                 jieba_cache: str | None = None):
        self.lex = lexicon
        self.doc_id = doc_id
        self.about = about
        self.counter = 0
        self.minted: dict[str, _Mention] = {}  # label -> the new entity proposed for it
        self.minted_iris: set[URIRef] = set()
        self.by_first: dict[str, list[str]] = {}
        for name in lexicon.names:
            if re.match(r"[A-Za-z0-9]", name):
                continue
            self.by_first.setdefault(name[0], []).append(name)
        for names in self.by_first.values():
            names.sort(key=len, reverse=True)
        han = sorted((n for names in self.by_first.values() for n in names), key=lambda n: (-len(n), n))
        self.han_re = re.compile("|".join(re.escape(n) for n in han)) if han else None
        self.latin = sorted((n for n in lexicon.names if re.match(r"[A-Za-z0-9]", n)), key=len, reverse=True)
        self.latin_re = (re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(re.escape(n) for n in self.latin) + r")(?![A-Za-z0-9])")
                         if self.latin else None)
        self.status_words = sorted(lexicon.statuses, key=len, reverse=True)
        self.status_re = re.compile("|".join(re.escape(w) for w in self.status_words)) if self.status_words else None
        jieba, self.pseg = _jieba()
        if jieba_cache:
            jieba.dt.tmp_dir = jieba_cache
        for name in list(self.by_first.keys()):
            for n in self.by_first[name]:
                if len(n) >= 2:
                    jieba.add_word(n, freq=2000, tag="nt")

    # -- helpers ---------------------------------------------------------------------------
    def _next_id(self, kind: str) -> str:
        self.counter += 1
        return f"{kind[0]}{self.counter:05d}"

    def _proposal(self, kind: str, s: Sentence, span: tuple[int, int], quote: tuple[int, int], rule: str,
                  confidence: float, **kw) -> Proposal:
        a, b = span
        qa, qb = quote
        return Proposal(self._next_id(kind), kind, s.id, s.start + a, s.start + b, s.text[a:b],
                        s.start + qa, s.start + qb, s.text[qa:qb], rule, confidence, **kw)

    # -- mentions ----------------------------------------------------------------------------
    def _known(self, text: str) -> list[_Mention]:
        out: list[_Mention] = []
        for m in self.han_re.finditer(text) if self.han_re else ():
            hit = m.group(0)  # leftmost, and longest: the alternatives are sorted longest first
            entry = self.lex.names[hit][0]
            out.append(_Mention(m.start(), m.end(), entry.entity, self.lex.labels.get(entry.entity, hit),
                                self.lex.classes.get(entry.entity), False, entry.how))
        if self.latin_re:
            for m in self.latin_re.finditer(text):
                entry = self.lex.names[m.group(0)][0]
                out.append(_Mention(m.start(), m.end(), entry.entity, self.lex.labels.get(entry.entity, m.group(0)),
                                    self.lex.classes.get(entry.entity), False, entry.how))
        if self.lex.pinyin:
            for m in re.finditer(r"[A-Za-z][A-Za-z' -]*[A-Za-z]", text):
                key = re.sub(r"[^a-z]", "", m.group(0).lower())
                for entry in self.lex.pinyin.get(key, ())[:1]:
                    if not any(x.start <= m.start() < x.end for x in out):
                        out.append(_Mention(m.start(), m.end(), entry.entity, self.lex.labels.get(entry.entity, ""),
                                            self.lex.classes.get(entry.entity), False, "pinyin"))
        return sorted(out, key=lambda x: x.start)

    def _trim_lead(self, name: str) -> int:
        """How many leading characters of a candidate are verbs/adverbs, not the name."""
        cut = 0
        for word, flag in self.pseg.cut(name):
            if word in _ALLOWED_LEAD or word in self.lex.names:
                break
            if flag in _LEAD_FLAGS or word in ("等", "的", "和", "及", "与", "并"):
                cut += len(word)
                continue
            break
        return cut

    def _name_start(self, text: str, start: int, head: int, known: list[_Mention]) -> int:
        """Move a candidate's start past leading verbs, a clause's subject and verb, an
        unbalanced opening quote, and a zone or park named before the name."""
        verbs = [v for v in _STRONG_VERBS.finditer(text, start, head)]
        if verbs:
            start = verbs[-1].end()
        cut = self._trim_lead(text[start:head] or text[start:head + 1])
        start += min(cut, max(0, head - start))
        for k in known:
            if k.start - 3 <= start < k.end and k.end < head and k.cls in (HTO.Park, HTO.CooperationZone):
                start = k.end  # 合作区深圳园区深港开放创新中心: the park is not part of the name
        if text[start:start + 1] == "“" and "”" not in text[start:head + 8]:
            start += 1
        return start

    def _generic(self, name: str, ending: str) -> bool:
        rest = name[: len(name) - len(ending)]
        if len(rest) < 2:
            return True
        words = [w for w, _ in self.pseg.cut(rest)]
        return all(w in _GENERIC or re.fullmatch(r"[\d一二三四五六七八九十]+[个家所项批]?", w) for w in words)

    def _new_candidates(self, text: str, known: list[_Mention]) -> list[tuple[int, int, str, str, str]]:
        """(start, end, label, class, rule) of new-entity candidates in a sentence."""
        out: list[tuple[int, int, str, str, str]] = []
        # titles in 《》
        for m in re.finditer(r"《([^《》]{2,60})》", text):
            title = m.group(1)
            cls = next(c for e, c in _POLICY_ENDINGS if title.endswith(e))
            out.append((m.start(1), m.end(1), title, cls, "title-in-book-marks"))
        # names ending in an institution word
        bounds = set(_DELIMS + "、《》") | {"等"}
        for m in _ENDING_RE.finditer(text):
            end, ending = m.end(), m.group(0)
            if end < len(text) and text[end] in "》":
                continue
            if ending == "科技" and re.match(r"[\u4e00-\u9fff]", text[end:end + 1]) \
                    and text[end] not in "等、和及与已正" and text[end:end + 2] not in ("总部", "公司", "集团", "有限"):
                continue  # 深港科技创新合作区: 科技 inside a longer name, not a company's
            start = m.start()
            while start > 0 and text[start - 1] not in bounds:
                start -= 1
            start = self._name_start(text, start, m.start(), known)
            number = re.match(r"\d{1,3}号(?![\u4e00-\u9fff]{0,2}(?:线|楼|院))", text[end:])
            if number:
                end += number.end()  # 光明人才公寓5号: a numbered name
            if text.count("“", start, end) > text.count("”", start, end) and text[end:end + 1] == "”":
                end += 1  # 深港“联合政策包”: the closing quote belongs to the name
            name = text[start:end]
            if len(name) > 40 or len(name) < 3 or self._generic(text[start:m.end()], ending) or _garbled(name):
                continue
            if any(k.start == start and k.end == end and not k.new for k in known):
                continue  # already a known entity
            cls = _ENDING[ending][0]
            if ending == "项目" and re.search("改造|建设|通道|口岸|工程", name):
                cls = "ConstructionProject"
            out.append((start, end, name, cls, f"name-ending:{ending}"))
        # list items before a head noun, and quoted items ("“A”“B”等特色服务")
        for head, cls, _ in _HEADS:
            for m in re.finditer(rf"等(?:[\d一二三四五六七八九十]+[个项家所])?[^{_DELIMS}、]{{0,6}}{head}"
                                 rf"(?=[{_DELIMS}]|$|实施细则|细则)", text):
                seg_start = m.start()
                while seg_start > 0 and text[seg_start - 1] not in _DELIMS:
                    seg_start -= 1
                seg = text[seg_start:m.start()]
                items = re.split(r"、|(?<=”)(?=“)", seg)
                pos = seg_start
                for k, item in enumerate(items):
                    a = pos
                    pos += len(item) + (0 if k == len(items) - 1 else (1 if seg[pos - seg_start + len(item):][:1] == "、" else 0))
                    if k == 0:
                        new_a = self._name_start(text, a, a + len(item), known)
                        item = item[new_a - a:]
                        a = new_a
                    core = item.strip("“”\"")
                    a += item.find(core) if core else 0
                    if 2 <= len(core) <= 20 and not any(k2.start == a and k2.end == a + len(core) for k2 in known):
                        out.append((a, a + len(core), core, cls, f"list-before:{head}"))
        # keep the longest candidate at each end position, and drop ones inside a known name
        best: dict[tuple[int, int], tuple[int, int, str, str, str]] = {}
        for c in out:
            best.setdefault((c[0], c[1]), c)
        result = []
        for c in sorted(best.values()):
            if any(k.start <= c[0] and c[1] <= k.end and (k.start, k.end) != (c[0], c[1]) for k in known):
                continue
            if any(o[1] == c[1] and o[0] < c[0] for o in best.values()):
                continue  # a shorter name with the same ending inside a longer one
            if any(o[0] == c[0] and o[1] > c[1] and text[c[1]:c[1] + 1] in "和及与" for o in best.values()):
                continue  # 新皇岗口岸联检大楼 of 新皇岗口岸联检大楼和综合业务楼
            result.append(c)
        return result

    # -- the sentence --------------------------------------------------------------------------
    def sentence(self, s: Sentence) -> list[Proposal]:
        text = s.text
        props: list[Proposal] = []
        cls_ = clauses(text)

        aspect = re.match(rf"[^{_DELIMS}]{{2,12}}方面[，,]", text)

        def clause_of(pos: int) -> tuple[int, int]:
            for a, b in cls_:
                if a <= pos < b:
                    # "量子信息方面,X等已落地": the clause after the aspect is quoted with it
                    return (0, b) if aspect and a == aspect.end() else (a, b)
            return 0, len(text)

        known = self._known(text)
        mentions: list[_Mention] = []
        for k in known:
            q = clause_of(k.start)
            conf = {"label": 0.95, "alt-label": 0.9, "zh-Hant": 0.9, "English": 0.8, "abbreviation": 0.7,
                    "pinyin": 0.6}.get(k.how, 0.8)
            p = self._proposal("mention", s, (k.start, k.end), q, f"lexicon:{k.how}", conf, entity=k.entity,
                               label=k.label, cls=k.cls)
            k.proposal = p.id
            props.append(p)
            mentions.append(k)
        for a, b, label, cls_name, rule in self._new_candidates(text, known):
            q = clause_of(a)
            cls = HTO[cls_name]
            if label in self.minted:
                first = self.minted[label]
                p = self._proposal("mention", s, (a, b), q, "proposed-entity", 0.7, entity=first.entity, label=label,
                                   cls=first.cls, depends=(first.proposal,))
                m = _Mention(a, b, first.entity, label, first.cls, True, "proposed", p.id)
            else:
                folder = _FOLDER.get(cls_name) or dict((c, f) for _, c, f in _ENDINGS).get(cls_name) or \
                    {"Sector": "sector", "Service": "service", "ResearchManagementMechanism": "policy"}.get(cls_name, "org")
                iri = KG[f"{folder}/{_slug(label)}"]
                n = 2
                while iri in self.minted_iris or iri in self.lex.classes:
                    iri = KG[f"{folder}/{_slug(label)}-{n}"]
                    n += 1
                self.minted_iris.add(iri)
                conf = 0.8 if rule.startswith(("title", "list")) else 0.6
                triples = [(iri, RDF.type, cls), (iri, RDFS.label, Literal(label, lang="zh-Hans"))]
                if cls == HTO.Sector:  # a sector is a SKOS concept of the key-sector scheme
                    triples += [(iri, SKOS.prefLabel, Literal(label, lang="zh-Hans")),
                                (iri, SKOS.inScheme, KG["sector/scheme"])]
                p = self._proposal("new-entity", s, (a, b), q, rule, conf, entity=iri, label=label, cls=cls,
                                   triples=triples)
                m = _Mention(a, b, iri, label, cls, True, rule, p.id)
                self.minted[label] = m
            props.append(p)
            mentions.append(m)
        mentions.sort(key=lambda x: (x.start, -x.end))
        # outermost mentions only (a university named inside a project's name is not governed)
        outer = [m for m in mentions if not any(o is not m and o.start <= m.start and m.end <= o.end
                                                 and (o.start, o.end) != (m.start, m.end) for o in mentions)]
        places = (HTO.Park, HTO.CooperationZone, HTO.Jurisdiction, HTO.Region, SCHEMA.Place, HTO.CooperationPlatform)
        governed_by_status: dict[int, list[tuple[_Mention, URIRef]]] = {}
        props += self._statuses(s, outer, places, clause_of, governed_by_status)
        props += self._figures(s, clause_of)
        props += self._dates(s, outer, clause_of)
        props += self._links(s, mentions, outer, places, clause_of, governed_by_status)
        return props

    def _statuses(self, s, outer, places, clause_of, governed) -> list[Proposal]:
        out: list[Proposal] = []
        if not self.status_re:
            return out
        text = s.text
        taken: list[tuple[int, int]] = []
        for m in self.status_re.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            word = m.group(0)
            sw = self.lex.statuses[word]
            if any(o.start <= m.start() < o.end for o in outer):
                continue  # the word is inside a name (建设 in 深港科创综合服务中心建设项目 …)
            qa, qb = clause_of(m.start())
            lead = _STATUS_MODIFIERS.search(text[qa:m.start()])
            wa = m.start() - (len(lead.group(0)) if lead else 0)
            words = text[wa:m.end()]
            before = [o for o in outer if qa <= o.start and o.end <= wa and o.cls not in places]
            targets: list[_Mention] = []
            rule = ""
            if before:
                gap = text[before[-1].end:wa]
                if not gap or (gap.startswith("等") and len(gap) <= 24 and "、" not in gap):
                    # the whole list that ends right before the status words
                    run = [before[-1]]
                    for o in reversed(before[:-1]):
                        between = text[o.end:run[0].start]
                        if re.fullmatch(r"[、和及与“”\"]*|、[\u4e00-\u9fff]{1,2}|等(?:[\d一二三四五六七八九十]+[个家所项])?",
                                        between):
                            run.insert(0, o)
                        else:
                            break
                    targets, rule = run, "status-after-list"
            if not targets:
                after = [o for o in outer if m.end() <= o.start < qb and o.cls not in places]
                if after and word in _POLICY_SCHEME_WORDS or (after and re.fullmatch(r"[《“\"]?", text[m.end():after[0].start])):
                    run = [after[0]]
                    for o in after[1:]:
                        if re.fullmatch(r"[、和及与“”\"《》]*", text[run[-1].end:o.start]):
                            run.append(o)
                        else:
                            break
                    targets, rule = run, "status-before-name"
            if not targets:
                continue
            taken.append((wa, m.end()))
            conf = {"vocabulary label": 0.8, "vocabulary definition": 0.75, "curated status words": 0.85,
                    "synonym table": 0.5}[sw.how] - (0.1 if rule == "status-before-name" else 0)
            for t in targets:
                p = self._proposal("status", s, (wa, m.end()), (qa, qb), f"{rule}; {sw.how}: {word}", round(conf, 2),
                                   entity=t.entity, label=t.label,
                                   triples=[(t.entity, HTO.developmentStatus, sw.status),
                                            (t.entity, HTO.statusWords, Literal(words, lang="zh-Hans"))],
                                   depends=(t.proposal,) if t.new else ())
                out.append(p)
                governed.setdefault(id(t), []).append((t, sw.status))
        return out

    def _figures(self, s, clause_of) -> list[Proposal]:
        out: list[Proposal] = []
        text = s.text
        for m in _FIGURE.finditer(text):
            if m.group("num") in ("一", "两"):
                continue  # "一个", "一项": an article, not a count
            if _DATE.match(text, m.start()) or (m.end() < len(text) and text[m.end()] in "年月日号"):
                continue
            parsed = parse_figure(m)
            if parsed is None:
                continue
            value, qualifier, unit = parsed
            qa, qb = clause_of(m.start())
            counted = re.match(rf"[的]?([^{_DELIMS}]{{1,30}}?)(?:顺利|已|正|等|均|$|建立|落地|引进)", text[m.end():qb])
            what = counted.group(1) if counted and counted.group(1) else text[qa:m.start()].strip() or m.group(0)
            if m.start() - qa > 0 and not counted:
                what = text[qa:m.start()]
            iri = KG[f"figure/{self.doc_id}/{s.start + m.start()}-{s.start + m.end()}"]
            triples = [(iri, RDF.type, HTO.Figure), (iri, RDFS.label, Literal(m.group(0), lang="zh-Hans")),
                       (iri, SCHEMA.value, Literal(value)), (iri, HTO.qualifier, KG[f"qualifier/{qualifier}"]),
                       (iri, SCHEMA.unitText, Literal(unit, lang="zh-Hans")),
                       (iri, HTO.counts, Literal(what, lang="zh-Hans"))]
            if unit in _UNIT_CODES:
                triples.append((iri, SCHEMA.unitCode, Literal(_UNIT_CODES[unit])))
            out.append(self._proposal("figure", s, (m.start(), m.end()), (qa, qb), f"figure:{unit}",
                                      0.85 if m.group("num")[0].isdigit() else 0.7, entity=iri, label=m.group(0),
                                      triples=triples))
        return out

    def _dates(self, s, outer, clause_of) -> list[Proposal]:
        out = []
        text = s.text
        for m in _DATE.finditer(text):
            value = parse_date(m)
            if value is None:
                continue
            qa, qb = clause_of(m.start())
            near = [o for o in outer if qa <= o.start < qb]
            if not near and text[qb:qb + 1] in "，,":  # "2025年3月,X投入使用": the date opens the next clause
                _, nb = clause_of(qb + 1)
                near = [o for o in outer if qb < o.start < nb]
                qb = nb if near else qb
            subject = near[0].entity if near else KG[f"doc/{self.doc_id}"]
            out.append(self._proposal("date", s, (m.start(), m.end()), (qa, qb),
                                      f"date:{value.datatype.split('#')[1]}", 0.6 if near else 0.4,
                                      entity=subject, label=m.group(0),
                                      triples=[(subject, DCTERMS.date, value)],
                                      depends=tuple(o.proposal for o in near[:1] if o.new)))
        return out

    def _links(self, s, mentions, outer, places, clause_of, governed) -> list[Proposal]:
        out: list[Proposal] = []
        text = s.text

        def link(subj: _Mention, prop, obj: _Mention | URIRef, span, rule, conf, *, evidence=HTO.StatedInSource,
                 comment=None):
            o_iri = obj if isinstance(obj, URIRef) else obj.entity
            deps = tuple(x.proposal for x in (subj, obj) if isinstance(x, _Mention) and x.new)
            q = clause_of(span[0])
            q = (min(q[0], clause_of(subj.start)[0]), max(q[1], clause_of(subj.start)[1]))
            out.append(self._proposal("link", s, span, q, rule, conf, entity=subj.entity, label=subj.label,
                                      triples=[(subj.entity, prop, o_iri)], depends=deps, evidence=evidence,
                                      comment=comment))

        # a place named right before a name: the named thing is located in the place
        for m in mentions:
            for p in mentions:
                if p.end == m.start and p.cls in (HTO.Park, HTO.CooperationZone) and m.cls not in places:
                    link(m, HTO.locatedIn, p, (p.start, m.end), "place-before-name", 0.7)
        # "X方面," opening a sentence: what the sentence names is in sector X
        aspect = re.match(rf"([^{_DELIMS}]{{2,12}})方面", text)
        if aspect:
            sector = next((m for m in mentions if m.start == aspect.start(1) and m.end == aspect.end(1)), None)
            if sector is None:
                label = aspect.group(1)
                known_sector = next((e for e, lab in self.lex.labels.items() if lab == label
                                     and self.lex.classes.get(e) == HTO.Sector), None)
                if known_sector is not None:
                    sector = _Mention(aspect.start(1), aspect.end(1), known_sector, label, HTO.Sector, False, "label")
                elif label in self.minted:
                    sector = self.minted[label]
            if sector is not None:
                for m in outer:
                    if m.start > aspect.end() and m.cls not in places and m.cls != HTO.Sector:
                        link(m, HTO.inSector, sector, (aspect.start(), aspect.end()), "sector-aspect", 0.75)
        # a name that opens with another organisation's name
        for m in mentions:
            if not m.new:
                continue
            for p in mentions:
                if p is m or p.start != m.start or p.end >= m.end:
                    continue
                if p.cls == HTO.University and m.cls in (HTO.ResearchProject, HTO.RnDCentre, HTO.Project):
                    link(m, HTO.broughtInBy, p, (m.start, m.end), "name-opens-with-university", 0.6)
                elif m.cls in (HTO.ServicePlatform, HTO.ArbitrationPlatform) and p.cls not in places:
                    link(m, HTO.platformOf, p, (m.start, m.end), "name-opens-with-organisation", 0.6)
                elif m.cls == HTO.CompanyUnit and p.cls == HTO.Company:
                    link(m, HTO.unitOf, p, (m.start, m.end), "name-opens-with-company", 0.5,
                         evidence=HTO.InferredFromName,
                         comment=f"{m.label} opens with the company name {p.label}; the sentence does not state the link.")
                elif p.cls in (HTO.Hospital, HTO.GovernmentAgency, HTO.University) and m.cls not in places:
                    link(m, HTO.branchOf, p, (m.start, m.end), "name-opens-with-organisation", 0.4,
                         evidence=HTO.InferredFromName,
                         comment=f"{m.label} opens with {p.label}; the sentence does not state the link.")
        # a centre that launches (推出) services offers them
        for t in re.finditer("推出", text):
            providers = [m for m in outer if m.end <= t.start() and m.cls in (HTO.ServiceCentre, HTO.ServicePlatform)]
            services = [m for m in outer if m.start >= t.end() and m.cls == HTO.Service]
            if providers:
                for sv in services:
                    link(providers[-1], HTO.offersService, sv, (t.start(), t.end()), "offers-services:推出", 0.65)
        # mechanisms listed before the implementing rules
        for r in [m for m in outer if m.cls == HTO.ImplementingRules]:
            for m in outer:
                if m.cls == HTO.ResearchManagementMechanism and m.end <= r.start:
                    link(r, HTO.implements, m, (m.start, r.end), "list-before-rules", 0.6)
        # what the report is about: things that arrived, were set up or are built there
        if self.about is not None:
            schemes = {KG["status/arrival"], KG["status/construction-stage"], KG["status/organisational"],
                       KG["status/operation"]}
            done = set()
            for entries in governed.values():
                for m, status in entries:
                    if self.lex.status_scheme.get(status) in schemes and m.cls not in places \
                            and m.cls != HTO.Service and m.entity not in done \
                            and not any(x.kind == "link" and x.triples[0][1] == HTO.locatedIn and x.entity == m.entity
                                        for x in out):
                        done.add(m.entity)
                        link(m, HTO.locatedIn, self.about, (m.start, m.end), "report-subject", 0.5)
        return out
