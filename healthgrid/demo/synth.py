"""Random but realistic people for the demo district: names, ID numbers, ages, phones.

Pure helpers: no Flask, no database. Every function draws from the
``random.Random`` it is given (never the global one), so that a seed always
gives the same district.
"""
from __future__ import annotations

import bisect
import functools
import itertools
from datetime import date, timedelta
from random import Random


# --------------------------------------------------------------------- names
# The most common Chinese surnames with their approximate share (per mille).
# Surnames read differently as a surname (曾 zeng, 单 shan, 解 xie, 仇 qiu, 区 ou)
# are left out: name initials are computed character by character, and would be wrong.
_SURNAMES = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 46), ("杨", 31), ("黄", 22),
    ("赵", 20), ("吴", 19), ("周", 19), ("徐", 15), ("孙", 15), ("马", 13), ("朱", 12),
    ("胡", 11), ("郭", 11), ("何", 10), ("高", 10), ("林", 10), ("罗", 9), ("郑", 9),
    ("梁", 8), ("谢", 7), ("宋", 7), ("唐", 6), ("许", 6), ("韩", 6), ("冯", 6), ("邓", 6),
    ("曹", 5), ("彭", 5), ("肖", 5), ("田", 5), ("董", 5), ("袁", 4), ("潘", 4), ("于", 4),
    ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 3), ("魏", 3),
    ("吕", 3), ("丁", 3), ("任", 3), ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3),
    ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3), ("廖", 3),
    ("贾", 2), ("夏", 2), ("韦", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2), ("孟", 2),
    ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2),
    ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 2),
    ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2), ("武", 2),
    ("戴", 2), ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1), ("常", 1), ("温", 1), ("康", 1),
)
SURNAMES = tuple(s for s, _ in _SURNAMES)
_SURNAME_CUM = tuple(itertools.accumulate(w for _, w in _SURNAMES))

# Given-name characters by sex and generation (names follow the fashion of the birth years).
_GIVEN = {
    ("male", 0): "国建华明军平德福文志林成忠义海山荣贵发庆祥兴春生宝金振富友",
    ("male", 1): "伟强磊勇军杰涛斌超鹏辉刚健波亮峰明东飞龙俊毅凯宇林海洋雷浩晨",
    ("male", 2): "浩宇轩子睿泽博文皓然俊杰梓辰航一铭昊晨阳逸嘉天佑宸熙煜奕锦瑞",
    ("female", 0): "秀英兰芳珍桂凤玉淑华梅琴云荣翠霞香素娥花春金月爱美",
    ("female", 1): "丽静敏燕艳娟霞红玲婷雪慧颖琳洁晶莉萍倩欣楠芳梅丹蕾",
    ("female", 2): "欣怡涵萱梓诗雨可馨悦佳思若语晨琪瑶彤一依子梦婉妍沐",
}


def _generation(birth_year: int) -> int:
    return 0 if birth_year < 1960 else 1 if birth_year < 1990 else 2


def surname(rng: Random) -> str:
    return SURNAMES[bisect.bisect(_SURNAME_CUM, rng.random() * _SURNAME_CUM[-1])]


def given_name(rng: Random, sex: str, birth_year: int) -> str:
    pool = _GIVEN[(sex, _generation(birth_year))]
    if rng.random() < 0.28:
        return pool[int(rng.random() * len(pool))]
    return pool[int(rng.random() * len(pool))] + pool[int(rng.random() * len(pool))]


def person_name(rng: Random, sex: str, birth_year: int, family_name: str | None = None) -> str:
    return (family_name or surname(rng)) + given_name(rng, sex, birth_year)


# ---------------------------------------------------------------- ID numbers
# Area codes (GB/T 2260): the district itself and its neighbours, then the places
# most migrants to Beijing come from. A code is only valid for people born while
# it existed (python-stdnum checks this, as the archive does): today's codes
# mostly date from 1983 on, so older people carry the prefecture-era codes.
HOME_AREA = "110105"
LOCAL_AREAS = ("110105", "110105", "110105", "110105", "110101", "110102", "110106",
               "110107", "110108", "110109")
OTHER_AREAS = (
    # current codes
    "130102", "130203", "130602", "131002", "130984", "140105", "150102", "210102",
    "220102", "230103", "320106", "340104", "360102", "370102", "370203", "371302",
    "410105", "410302", "411503", "420106", "430105", "510104", "610113", "620102",
    # prefecture-era codes, retired between 1986 and 2000
    "132121", "132430", "132439", "132826", "133024", "342401", "232301", "372401",
    "372826", "372929", "412322", "412328",
    # codes unchanged since the first list
    "120101", "120104", "310104", "330122", "340121", "350121", "360121", "430121",
    "510121", "610323", "620121", "640121", "210321", "222401",
)


@functools.cache
def _area_years(code: str) -> tuple[tuple[int, int], ...]:
    """The years in which an area code existed, from python-stdnum's table."""
    from stdnum import numdb

    info = {k: v for _, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    county = info.get("county")
    if not county:
        return ()
    spans = []
    for part in county.split(","):
        if not part.startswith("["):
            return ((0, 9999),)
        start, end = part[1:].split("]")[0].split("-")
        spans.append((int(start) if start else 0, int(end) if end else 9999))
    return tuple(spans)


def area_valid(code: str, year: int) -> bool:
    return any(start <= year <= end for start, end in _area_years(code))


@functools.cache
def other_areas(year: int) -> tuple[str, ...]:
    """The codes of OTHER_AREAS that a person born in ``year`` can carry."""
    return tuple(code for code in OTHER_AREAS if area_valid(code, year))


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _weighted(digits: str, weights) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights))


def id_check_char(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits (GB 11643)."""
    return _ID_CHECK[_weighted(body17, _ID_WEIGHTS) % 11]


class IdNumbers:
    """Hands out valid, unique 18-character ID numbers.

    The check sum is the sum of three cached parts (area, birth date, sequence),
    so a million numbers cost a few set look-ups each.
    """

    def __init__(self, rng: Random):
        self.rng = rng
        self._used: set[int] = set()
        self._area_sums: dict[str, int] = {}
        self._date_parts: dict[int, tuple[str, int]] = {}
        self._seq_parts = [(f"{s:03d}", _weighted(f"{s:03d}", _ID_WEIGHTS[14:]))
                           for s in range(1000)]

    def make(self, area: str, birth: date, male: bool) -> str:
        """A new number; ``area`` is replaced by one of OTHER_AREAS if it did not
        exist in the birth year."""
        if not area_valid(area, birth.year):
            area = self.rng.choice(other_areas(birth.year))
        asum = self._area_sums.get(area)
        if asum is None:
            asum = self._area_sums[area] = _weighted(area, _ID_WEIGHTS[:6])
        ordinal = birth.toordinal()
        dpart = self._date_parts.get(ordinal)
        if dpart is None:
            text = birth.strftime("%Y%m%d")
            dpart = self._date_parts[ordinal] = (text, _weighted(text, _ID_WEIGHTS[6:14]))
        prefix = area + dpart[0]
        base = int(prefix) * 1000
        for _ in range(1000):
            # The last sequence digit is odd for men, even for women.
            seq = int(self.rng.random() * 500) * 2 + (1 if male else 0)
            if base + seq not in self._used:
                break
        else:  # pragma: no cover - 500 numbers per area, day and sex are never all taken
            raise RuntimeError(f"no ID number left for {prefix}")
        self._used.add(base + seq)
        stext, ssum = self._seq_parts[seq]
        return prefix + stext + _ID_CHECK[(asum + dpart[1] + ssum) % 11]


# ------------------------------------------------------------- age pyramid
# A mature urban district of Beijing around 2025 (shape of the 2020 census,
# aged by five years): share of the population per five-year band, 0-4 … 95-99.
AGE_BANDS = (3.4, 4.6, 5.0, 4.3, 4.4, 5.4, 7.2, 8.0, 7.0, 6.6, 7.3, 7.6, 7.0,
             6.4, 5.0, 3.4, 2.3, 1.3, 0.5, 0.1)
MAX_AGE = 100
_AGE_WEIGHTS = [AGE_BANDS[min(a // 5, len(AGE_BANDS) - 1)] / 5 for a in range(MAX_AGE + 1)]
_AGE_CUM = tuple(itertools.accumulate(_AGE_WEIGHTS))


def sample_age(rng: Random, lo: int = 0, hi: int = MAX_AGE) -> int:
    """An age in [lo, hi], drawn from the pyramid restricted to that range."""
    lo = max(0, min(lo, MAX_AGE))
    hi = max(lo, min(hi, MAX_AGE))
    start = _AGE_CUM[lo - 1] if lo else 0.0
    u = start + rng.random() * (_AGE_CUM[hi] - start)
    return min(hi, max(lo, bisect.bisect_right(_AGE_CUM, u)))


def birth_date(rng: Random, age: int, as_of: date) -> date:
    """A birth date giving the age ``age`` on ``as_of``."""
    try:
        last_birthday = as_of.replace(year=as_of.year - age)
    except ValueError:  # 29 February
        last_birthday = as_of.replace(year=as_of.year - age, day=28)
    return last_birthday - timedelta(days=int(rng.random() * 365))


# -------------------------------------------------------------- households
# Household sizes 1-6 (mean ≈ 2.9, in line with census figures for urban Beijing).
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6)
_SIZE_CUM = tuple(itertools.accumulate((15, 28, 27, 16, 9, 5)))

# Household shapes by size: (weight, roles). "child" is the head's child, "parent"
# the head's parent, "in_law" a child's spouse and "grandchild" their child.
_SHAPES = {
    1: ((1, ("head",)),),
    2: ((62, ("head", "spouse")), (23, ("head", "child")), (15, ("head", "parent"))),
    3: ((70, ("head", "spouse", "child")), (12, ("head", "spouse", "parent")),
        (8, ("head", "child", "child")), (10, ("head", "child", "parent"))),
    4: ((45, ("head", "spouse", "child", "child")),
        (40, ("head", "spouse", "child", "parent")),
        (15, ("head", "spouse", "parent", "parent"))),
    5: ((50, ("head", "spouse", "child", "parent", "parent")),
        (30, ("head", "spouse", "child", "child", "parent")),
        (20, ("head", "spouse", "child", "in_law", "grandchild"))),
    6: ((60, ("head", "spouse", "child", "child", "parent", "parent")),
        (40, ("head", "spouse", "child", "in_law", "grandchild", "grandchild"))),
}
_SHAPE_CUM = {size: tuple(itertools.accumulate(w for w, _ in shapes))
              for size, shapes in _SHAPES.items()}


def household_size(rng: Random) -> int:
    return HOUSEHOLD_SIZES[bisect.bisect(_SIZE_CUM, rng.random() * _SIZE_CUM[-1])]


def _other(sex: str) -> str:
    return "female" if sex == "male" else "male"


def household_members(rng: Random, size: int) -> list[tuple[str, str, int, str]]:
    """The people of one household: (relation to head, sex, age, surname), head first.

    Ages are drawn from the pyramid within what the relation allows (a child is
    20-42 years younger than the mother, a parent 20-40 years older), so that the
    district's ages follow the pyramid while each family stays plausible.
    """
    cum = _SHAPE_CUM[size]
    roles = _SHAPES[size][bisect.bisect(cum, rng.random() * cum[-1])][1]
    has_spouse = "spouse" in roles
    has_kids = "child" in roles
    has_parents = "parent" in roles
    has_grandkids = "grandchild" in roles

    if has_grandkids:
        lo, hi = 45, 90
    elif has_kids and has_parents:
        lo, hi = 28, 58
    elif has_kids:
        lo, hi = 28 if has_spouse else 30, 75
    elif has_parents:
        lo, hi = 20, 65
    elif rng.random() < 0.18:  # empty nests and elderly people living alone
        lo, hi = 60, MAX_AGE
    else:
        lo, hi = 21 if has_spouse else 18, MAX_AGE
    head_age = sample_age(rng, lo, hi)
    # Heads of couples are mostly men; people living alone in old age mostly women.
    if has_spouse:
        head_sex = "male" if rng.random() < 0.75 else "female"
    elif head_age >= 70:
        head_sex = "female" if rng.random() < 0.62 else "male"
    else:
        head_sex = "male" if rng.random() < 0.52 else "female"
    head_surname = surname(rng)
    members = [("head", head_sex, head_age, head_surname)]

    mother_age = head_age if head_sex == "female" else None
    father_surname = head_surname if head_sex == "male" else None
    if has_spouse:
        gap = int(rng.gauss(2.0, 2.5))
        spouse_age = head_age - gap if head_sex == "male" else head_age + gap
        spouse_age = max(20, min(MAX_AGE, spouse_age))
        spouse_surname = surname(rng)
        members.append(("spouse", _other(head_sex), spouse_age, spouse_surname))
        if head_sex == "male":
            mother_age = spouse_age
        else:
            father_surname = spouse_surname
    if mother_age is None:  # a man with his children: their mother is not in the household
        mother_age = max(20, head_age + int(rng.gauss(-2.0, 2.5)))
    if father_surname is None:
        father_surname = head_surname if rng.random() < 0.3 else surname(rng)

    child_hi = mother_age - 20
    child_lo = max(0, mother_age - 42)
    if has_grandkids:  # grandchildren need a parent of at least 20
        child_hi = max(child_hi, 20)
        child_lo = max(child_lo, 20)
        child_hi = max(child_hi, child_lo)
    kids = []
    for _ in range(roles.count("child")):
        sex = "male" if rng.random() < 0.515 else "female"
        family = father_surname if rng.random() < 0.95 else head_surname
        kids.append(("child", sex, sample_age(rng, child_lo, child_hi), family))
    members.extend(kids)
    if has_grandkids:
        _rel, kid_sex, kid_age, kid_surname = kids[0]
        in_law_age = max(20, min(MAX_AGE, kid_age + int(rng.gauss(0, 2.5))))
        in_law_surname = surname(rng)
        # A child's spouse (儿媳/女婿) is "other" among the archive's relations.
        members.append(("other", _other(kid_sex), in_law_age, in_law_surname))
        grand_surname = kid_surname if kid_sex == "male" else in_law_surname
        young_mother = kid_age if kid_sex == "female" else in_law_age
        for _ in range(roles.count("grandchild")):
            sex = "male" if rng.random() < 0.515 else "female"
            age = sample_age(rng, max(0, young_mother - 40), max(0, young_mother - 20))
            members.append(("grandchild", sex, age, grand_surname))
    n_parents = roles.count("parent")
    if n_parents:
        father_age = sample_age(rng, head_age + 20, head_age + 40)
        if n_parents == 2 or rng.random() < 0.4:
            members.append(("parent", "male", father_age, head_surname))
        if n_parents == 2 or len(members) < size:
            mother = max(head_age + 18, min(MAX_AGE, father_age + int(rng.gauss(-2.0, 2.5))))
            members.append(("parent", "female", min(MAX_AGE, mother), surname(rng)))
    return members


# ----------------------------------------------------------------- phones
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
                   "151", "152", "153", "155", "156", "157", "158", "159", "166", "176",
                   "177", "178", "180", "181", "182", "183", "185", "186", "187", "188",
                   "189", "198", "199")


def mobile(rng: Random) -> str:
    return MOBILE_PREFIXES[int(rng.random() * len(MOBILE_PREFIXES))] + \
        f"{int(rng.random() * 100_000_000):08d}"


def weighted_choice(rng: Random, options: tuple, cum_weights: tuple):
    return options[bisect.bisect(cum_weights, rng.random() * cum_weights[-1])]


def cumulative(weights) -> tuple:
    return tuple(itertools.accumulate(weights))


# ------------------------------------------------------- places and addresses
NEIGHBORHOOD_NAMES = (
    "幸福里", "阳光", "和平里", "光明", "团结湖", "安华里", "东风", "枣营", "六里屯", "麦子店",
    "花园路", "建国里", "朝阳门", "新源里", "左家庄", "芍药居", "惠新里", "安贞里", "小关",
    "樱花园", "双井", "劲松", "潘家园", "华威里", "南磨房", "百子湾", "高碑店", "八里庄",
    "延静里", "红庙", "呼家楼", "金台里", "水碓子", "甜水园", "石佛营", "十里堡", "青年路",
    "常营", "望京", "花家地", "南湖", "利泽", "大西洋", "北苑", "奥运村", "安慧里",
    "亚运村", "育慧里", "秀园", "文化园", "春晓", "翠微", "碧水园", "康乐里", "丰收",
)
_DIRECTIONS = ("东", "西", "南", "北", "中", "新")
_VILLAGE_SUFFIXES = ("家村", "各庄", "家营", "家坟", "庄", "家店", "家园", "家湾")
_VILLAGE_SURNAMES = ("李", "王", "张", "刘", "陈", "杨", "赵", "孙", "马", "高", "郭", "何",
                     "黄", "周", "吴", "徐", "胡", "朱", "崔", "董", "于", "贾", "田", "金")
ROADS = ("光明路", "建设路", "人民路", "和平街", "育才路", "朝阳路", "文化路", "东风路",
         "新华街", "团结路", "幸福大街", "安康路", "平安街", "健康路", "解放路", "红旗路",
         "长青路", "兴隆街", "富民路", "春晖路", "滨河路", "青年路", "友谊路", "民主街")
COMPOUND_SUFFIXES = ("小区", "家园", "花园", "嘉园", "东里", "西里", "北里", "南里")


def neighborhood_names(rng: Random, n: int) -> list[str]:
    """``n`` distinct short names of neighbourhoods (幸福里, 东光明, …)."""
    names = list(NEIGHBORHOOD_NAMES)
    rng.shuffle(names)
    extra = [d + base for d in _DIRECTIONS for base in NEIGHBORHOOD_NAMES
             if base[0] not in _DIRECTIONS and len(base) < 4]
    rng.shuffle(extra)
    return (names + extra)[:n]


def village_names(rng: Random, n: int) -> list[str]:
    """``n`` distinct village names (李家村, 王各庄, …)."""
    names = [s + x for s in _VILLAGE_SURNAMES for x in _VILLAGE_SUFFIXES]
    rng.shuffle(names)
    return names[:n]


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1-99 in Chinese numerals (村民小组 numbering)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


class ResidentialLayout:
    """Blocks of flats in one compound: 幸福里小区3号楼2单元501室."""

    def __init__(self, rng: Random, compound: str, capacity: int, first_building: int = 1):
        self.compound = compound
        tower = rng.random() < 0.35
        self.floors = rng.choice((12, 16, 18)) if tower else 6
        self.units = rng.choice((1, 2)) if tower else rng.choice((2, 3, 4))
        self.rooms = 4 if tower else 2
        per_building = self.floors * self.units * self.rooms
        self.first = first_building
        self.buildings = max(1, -(-capacity // per_building))
        self.capacity = self.buildings * per_building
        self.roads = rng.sample(ROADS, 2)

    @property
    def last_building(self) -> int:
        return self.first + self.buildings - 1

    def address(self, slot: int) -> str:
        room = slot % self.rooms + 1
        slot //= self.rooms
        floor = slot % self.floors + 1
        slot //= self.floors
        unit = slot % self.units + 1
        building = slot // self.units + self.first
        return f"{self.compound}{building}号楼{unit}单元{floor}{room:02d}室"

    def streets(self) -> str:
        return (f"{self.compound}{self.first}–{self.last_building}号楼"
                f"（{self.roads[0]}以东、{self.roads[1]}以北）")


class TownshipLayout:
    """Houses and courtyards along the town's streets: 光明路23号院2号."""

    HOUSES_PER_NUMBER = 4

    def __init__(self, rng: Random, capacity: int):
        self.roads = rng.sample(ROADS, 3)
        numbers = -(-capacity // self.HOUSES_PER_NUMBER)
        self.per_road = max(1, -(-numbers // len(self.roads)))
        self.capacity = self.per_road * len(self.roads) * self.HOUSES_PER_NUMBER

    def address(self, slot: int) -> str:
        house = slot % self.HOUSES_PER_NUMBER + 1
        slot //= self.HOUSES_PER_NUMBER
        number = slot % self.per_road + 1
        road = self.roads[min(slot // self.per_road, len(self.roads) - 1)]
        return f"{road}{number}号院{house}号"

    def streets(self) -> str:
        return "、".join(f"{road}1–{self.per_road}号" for road in self.roads)


class VillageLayout:
    """Farmhouses by villagers' group: 李家村三组27号."""

    HOUSES_PER_GROUP = 120

    def __init__(self, rng: Random, village: str, capacity: int, first_group: int = 1):
        self.village = village
        self.first = first_group
        self.groups = max(1, -(-capacity // self.HOUSES_PER_GROUP))
        self.capacity = self.groups * self.HOUSES_PER_GROUP

    def address(self, slot: int) -> str:
        group = slot // self.HOUSES_PER_GROUP + self.first
        return f"{self.village}{chinese_number(group) if group < 100 else group}组" \
               f"{slot % self.HOUSES_PER_GROUP + 1}号"

    def streets(self) -> str:
        last = self.first + self.groups - 1
        return f"{self.village}{chinese_number(self.first)}组至{chinese_number(last)}组" \
            if last < 100 else f"{self.village}{self.first}组至{last}组"
