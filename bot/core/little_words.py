"""Default evidence of a text's language by language subtag: the commonest little words of the
languages written in the Latin script, and of those people also text in Latin letters.

bot.core.detect counts them as votes; a library language without a list has its script, its
keywords and the models."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bot.core.language import ENGLISH_WORDS, SPANISH_WORDS

#: Function words per language subtag, as texts write them without accents: bot.core.language's
#: for English and Spanish, and the commonest little words of the other languages written in the
#: Latin script, less any that English or Spanish also writes or texts ("la", "do", "can", "on",
#: "va", "pa", "pero", "sino", "ano" for "año", "u" for "you"). The words of a language the
#: library lacks are evidence too: for the other-language reply.
FUNCTION_WORD_LISTS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "en": ENGLISH_WORDS,
        "es": SPANISH_WORDS,
        "vi": frozenset(
            """toi khong cua nhung cac mot duoc lam viec nguoi chung anh chi em ong ba
            gi nao dau sao roi voi cho tien nha giup xin chao cam oi vay thi minh
            muon biet phai bi khi""".split()
        ),
        "tl": frozenset(
            """ako ikaw siya kami tayo sila ko mo niya namin natin nila ang ng mga sa po opo
            hindi wala meron mayroon saan paano bakit kailan ito iyan iyon na ba
            lang naman kasi dahil kung nyo ninyo kayo salamat tulungan tulong gusto
            kailangan pwede puwede ngayon""".split()
        ),
        "so": frozenset(
            """waxaan waan waxay waa ma iyo ku ka aan ayaa ayay anigu adiga isaga
            iyada annaga idinka iyaga maxaan maxay sidee xaggee goorma yaa haa maya
            mahadsanid fadlan igu ii iga kuma kama lama wax qof dad""".split()
        ),
        # Languages a library seldom has, listed so that a text in one of them is read by the
        # model before it is answered in Spanish or English (bot.core.detect._words_leave_open).
        "pt": frozenset(
            """nao voce eu meu minha preciso ajuda obrigado obrigada estou tenho uma ao pelo
            pela isso muito trabalho dinheiro onde estao ele ela sao tambem mais""".split()
        ),
        "fr": frozenset(
            """je suis pas mon mes est une avec pour dans vous nous moi aidez merci travail
            argent""".split()
        ),
        "it": frozenset(
            """sono ho bisogno aiuto favore lavoro soldi grazie dove che della""".split()
        ),
        "de": frozenset(
            """ich bin nicht mein meine brauche hilfe bitte arbeit geld und ist der
            das""".split()
        ),
    }
)
#: The commonest little words of languages people also text in Latin letters (language.yaml
#: `romanized:`), as they type them: toneless pinyin, joined or not. Only words no library
#: language's list above has, and that English and Spanish texts do not use ("de", "le", "ni",
#: "ma", "ba", "na", "you" and "he" are left out). They vote as the Latin languages' words do.
ROMANIZED_FUNCTION_WORD_LISTS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "zh": frozenset(
            """wo women tamen nimen wode nide tade shi zai zhe zhege nage shenme zenme
            zenmeban weishenme keyi xiang yao dou jiu meiyou bu xiexie gei hen hao""".split()
        ),
        # Russian and Ukrainian as typed without a Cyrillic keyboard; "ya", "na", "i", "eto"
        # (Tagalog's "here") and other short ones are left out.
        "ru": frozenset(
            """menya mne chto shto kak ona oni potom tozhe uzhe esli kogda gde pochemu zdes
            ochen nado nuzhno mozhno nelzya spasibo pozhaluysta pozhalujsta privet seychas
            sejchas tolko""".split()
        ),
        "uk": frozenset(
            """mene meni tse shcho yak vona vin vony potim tezh vzhe yakshcho koly chomu duzhe
            treba mozhna dyakuyu pryvit zaraz tsei tsii tsya tilky""".split()
        ),
        # Korean romanised as people type it (Revised Romanisation, roughly).
        "ko": frozenset(
            """jom juseyo dowa dowajuseyo gamsahamnida gamsahaeyo annyeong annyeonghaseyo
            haseyo eotteoke eottoke eodi mwo isseoyo eopseoyo haeyo dwaeyo jeoneun naneun
            jega nega geuraeseo geunde hajiman jigeum ajik neomu""".split()
        ),
    }
)
