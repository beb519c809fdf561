"""A small library in nine languages, for testing the multi-language paths before the shipped
translations land: a few keywords and a short reply per topic and language, language.yaml files,
and the reply to texts in languages the library lacks.

The replies are test data, not translations to ship: each carries 911 or the hotline's number.
"""

from __future__ import annotations

import yaml

LANGUAGES = ["en", "es", "vi", "ru", "uk", "zh-Hans", "ko", "tl", "so"]

#: topic -> language -> keywords
KEYWORDS = {
    "emergency": {
        "en": ["emergency", "help me now", "locked in"],
        "es": ["emergencia", "socorro", "no me dejan salir"],
        "vi": ["khẩn cấp", "cứu tôi", "cứu với"],
        "ru": ["срочно", "спасите", "меня заперли"],
        "uk": ["терміново", "рятуйте", "мене замкнули"],
        "zh-Hans": ["救命", "紧急"],
        "ko": ["살려주세요", "긴급"],
        "tl": ["saklolo", "emerhensya", "ikinulong ako"],
        "so": ["gargaar", "degdeg", "i xireen"],
    },
    "labor": {
        "en": ["boss", "wages", "took my passport", "work"],
        "es": ["patron", "no me pagan", "trabajo", "salario"],
        "vi": ["chủ", "tiền lương", "không trả lương", "việc làm", "hộ chiếu"],
        "ru": ["зарплата", "работа", "начальник", "паспорт"],
        "uk": ["зарплата", "робота", "начальник", "паспорт"],
        "zh-Hans": ["工资", "老板", "工作", "护照"],
        "ko": ["월급", "사장", "일", "여권"],
        "tl": ["sahod", "amo", "trabaho", "pasaporte"],
        "so": ["mushahar", "shaqo", "lacag", "baasaboor"],
    },
    "housing": {
        "en": ["housing", "shelter", "evicted"],
        "es": ["vivienda", "albergue", "desalojo"],
        "vi": ["nhà ở", "chỗ ở", "bị đuổi"],
        "ru": ["жилье", "приют", "выселяют"],
        "uk": ["житло", "притулок", "виселяють"],
        "zh-Hans": ["住房", "住处"],
        "ko": ["집", "숙소"],
        "tl": ["bahay", "tirahan", "pinalayas"],
        "so": ["guri", "hoy", "la i saaray"],
    },
    "menu": {
        "en": ["hello", "menu", "help"],
        "es": ["hola", "menu", "ayuda"],
        "vi": ["xin chào", "giúp đỡ", "giúp"],
        "ru": ["привет", "помощь", "меню"],
        "uk": ["привіт", "допомога", "меню"],
        "zh-Hans": ["你好", "帮助", "菜单"],
        "ko": ["안녕하세요", "도움", "메뉴"],
        "tl": ["kumusta", "tulong", "menu"],
        "so": ["salaan", "caawimaad", "menu"],
    },
}
TITLES = {
    "labor": {
        "en": "Work and pay",
        "es": "Trabajo y pago",
        "vi": "Việc làm",
        "ru": "Работа",
        "uk": "Робота",
        "zh-Hans": "工作",
        "ko": "일",
        "tl": "Trabaho",
        "so": "Shaqo",
    },
    "housing": {
        "en": "Housing",
        "es": "Vivienda",
        "vi": "Nhà ở",
        "ru": "Жилье",
        "uk": "Житло",
        "zh-Hans": "住房",
        "ko": "집",
        "tl": "Bahay",
        "so": "Guri",
    },
}
#: language -> (emergency, labor, housing, menu) replies
REPLIES = {
    "en": (
        "In danger now? Call 911.",
        "Work: call the hotline 1-888-373-7888.",
        "Housing: call 211.",
        "Reply with a number:\n{menu}\nIn danger? Call 911.",
    ),
    "es": (
        "En peligro ahora? Llame al 911.",
        "Trabajo: llame a la linea 1-888-373-7888.",
        "Vivienda: llame al 211.",
        "Responda con un numero:\n{menu}\nEn peligro? Llame al 911.",
    ),
    "vi": (
        "Nguy hiểm? Gọi 911.",
        "Việc làm: gọi 1-888-373-7888, xin thông dịch viên.",
        "Nhà ở: gọi 211.",
        "Trả lời bằng số:\n{menu}\nNguy hiểm? Gọi 911.",
    ),
    "ru": (
        "Опасность? Звоните 911.",
        "Работа: 1-888-373-7888, попросите переводчика.",
        "Жилье: звоните 211.",
        "Ответьте цифрой:\n{menu}\nОпасность? 911.",
    ),
    "uk": (
        "Небезпека? Дзвоніть 911.",
        "Робота: 1-888-373-7888, попросіть перекладача.",
        "Житло: дзвоніть 211.",
        "Відповідайте цифрою:\n{menu}\nНебезпека? 911.",
    ),
    "zh-Hans": (
        "有危险？请拨打911。",
        "工作：请拨打1-888-373-7888，要求翻译。",
        "住房：请拨打211。",
        "请回复数字：\n{menu}\n有危险？拨打911。",
    ),
    "ko": (
        "위험하면 911에 전화하세요.",
        "일: 1-888-373-7888, 통역을 요청하세요.",
        "집: 211에 전화하세요.",
        "번호로 답하세요:\n{menu}\n위험하면 911.",
    ),
    "tl": (
        "Nasa panganib? Tumawag sa 911.",
        "Trabaho: tumawag sa 1-888-373-7888, humingi ng interpreter.",
        "Bahay: tumawag sa 211.",
        "Sumagot ng numero:\n{menu}\nPanganib? Tumawag sa 911.",
    ),
    "so": (
        "Khatar? Wac 911.",
        "Shaqo: wac 1-888-373-7888, weydii turjumaan.",
        "Guri: wac 211.",
        "Ku jawaab lambar:\n{menu}\nKhatar? Wac 911.",
    ),
}
NAMES = {
    "en": ("English", "English"),
    "es": ("Español", "Spanish"),
    "vi": ("Tiếng Việt", "Vietnamese"),
    "ru": ("Русский", "Russian"),
    "uk": ("Українська", "Ukrainian"),
    "zh-Hans": ("简体中文", "Chinese (Simplified)"),
    "ko": ("한국어", "Korean"),
    "tl": ("Tagalog", "Tagalog"),
    "so": ("Soomaali", "Somali"),
}
OTHER_LANGUAGE = (
    "Call 1-888-373-7888 and say the name of your language for an interpreter. / "
    "Llame al 1-888-373-7888 y diga el nombre de su idioma para un intérprete."
)


def keywords_yaml(languages: list[str] | None = None) -> str:
    """keywords.yaml of the test library, in these languages (all nine by default)."""
    langs = languages or LANGUAGES
    topics = []
    for topic_id, by_lang in KEYWORDS.items():
        topic: dict[str, object] = {"id": topic_id}
        if topic_id == "emergency":
            topic["segment_budget"] = 1
        if topic_id in TITLES:
            topic["menu"] = 1 if topic_id == "labor" else 2
            topic["title"] = {lang: TITLES[topic_id][lang] for lang in langs}
        topic["keywords"] = {lang: by_lang[lang] for lang in langs}
        topics.append(topic)
    topics.append({"id": "stop", "silent": True})
    return yaml.safe_dump(
        {"languages": langs, "topics": topics}, allow_unicode=True, sort_keys=False
    )


def bundle(languages: list[str] | None = None, other_language: bool = True) -> dict[str, str]:
    """The test library as a bundle."""
    langs = languages or LANGUAGES
    files = {"keywords.yaml": keywords_yaml(langs)}
    for lang in langs:
        for topic_id, text in zip(
            ("emergency", "labor", "housing", "menu"), REPLIES[lang], strict=True
        ):
            files[f"responses/{lang}/{topic_id}.txt"] = text + "\n"
        name, english = NAMES[lang]
        spec = {"name": name, "english_name": english}
        if lang not in ("en", "es"):
            spec["segment_budget"] = 4
        if lang == "es":
            spec["opt_out"] = ["BAJA", "PARAR"]
        files[f"responses/{lang}/language.yaml"] = yaml.safe_dump(
            spec, allow_unicode=True, sort_keys=False
        )
    if other_language:
        files["responses/other-language.txt"] = OTHER_LANGUAGE + "\n"
    return files
