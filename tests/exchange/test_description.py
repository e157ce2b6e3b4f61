from qualcode.exchange.description import pack_description, unpack_description

CODE = {
    "id": "informasjon",
    "definition": "Utsagn om informasjon til pasient og pårørende.\nOgså skriftlig materiell.",
    "when_to_use": "Når noen forteller hva de fikk vite, eller ikke fikk vite.",
    "when_not_to_use": "Ikke for journalinnsyn.",
    "examples_typical": ["«Vi fikk en brosjyre om forløpet» 🙂", "To linjer\nher"],
    "examples_borderline": ["Han nevnte det i forbifarten"],
    "label_en": "Information",
}


def test_round_trip_keeps_every_field():
    text = pack_description(CODE, codebook="pakkeforlop", version="1.2.0")
    back = unpack_description(text)
    for key, value in CODE.items():
        assert back[key] == value, key
    assert back["codebook"] == "pakkeforlop" and back["version"] == "1.2.0"


def test_is_readable_labelled_text():
    text = pack_description(CODE)
    assert text.startswith("Utsagn om informasjon")
    assert "\nBruk når: Når noen forteller" in text
    assert "\nIkke bruk når: Ikke for journalinnsyn." in text
    assert "Typiske eksempler:\n- «Vi fikk" in text
    assert text.rstrip().endswith("[qualcode id=informasjon]")


def test_content_that_looks_like_a_label_is_escaped():
    tricky = dict(CODE, definition="Første linje.\nBruk når: dette er en del av definisjonen\n\\sti",
                  when_to_use="\\start med skråstrek")
    back = unpack_description(pack_description(tricky))
    assert back["definition"] == tricky["definition"]
    assert back["when_to_use"] == tricky["when_to_use"]
    assert back["when_not_to_use"] == CODE["when_not_to_use"]


def test_survives_crlf_and_collapsed_blank_lines():
    text = pack_description(CODE, codebook="pk")
    mangled = text.replace("\n\n", "\n").replace("\n", "\r\n")
    back = unpack_description(mangled)
    for key, value in CODE.items():
        assert back[key] == value, key


def test_hand_written_description_is_the_definition():
    assert unpack_description("Anything about jobs or taxes") == {"definition": "Anything about jobs or taxes"}
    assert unpack_description(None) == {}
    back = unpack_description("Definisjon her\nWhen to use: always\nTypical examples:\n- one\n- two")
    assert back == {"definition": "Definisjon her", "when_to_use": "always", "examples_typical": ["one", "two"]}


def test_empty_fields_are_left_out():
    assert pack_description({"id": "x", "definition": "", "examples_typical": []}) == "[qualcode id=x]"
    assert pack_description({"definition": "Bare dette."}, trailer=False) == "Bare dette."


from hypothesis import given, settings
from hypothesis import strategies as st

# Text as a codebook author would write it: any printable characters and line breaks
# (the format strips surrounding whitespace, and REFI/XML cannot carry a bare CR).
_chars = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85")
_tricky = st.sampled_from(["Bruk når: x", "Typiske eksempler:", "- punkt", "\\skrå", "[qualcode id=x]",
                           "  innrykk", "When to use: y", "Engelsk navn:", "• kule", "ikke bruk når:z"])
_line = st.one_of(st.text(_chars, max_size=30), _tricky)
_text = st.lists(_line, max_size=4).map("\n".join).map(str.strip)


@settings(max_examples=300, deadline=None)
@given(definition=_text, when=_text, when_not=_text, label_en=_line.map(str.strip),
       typical=st.lists(_text.filter(bool), max_size=3), borderline=st.lists(_text.filter(bool), max_size=3))
def test_pack_unpack_round_trip_property(definition, when, when_not, label_en, typical, borderline):
    code = {"id": "k", "definition": definition, "when_to_use": when, "when_not_to_use": when_not,
            "label_en": label_en, "examples_typical": typical, "examples_borderline": borderline}
    back = unpack_description(pack_description(code))
    assert back.get("id") == "k"
    for key in ("definition", "when_to_use", "when_not_to_use", "label_en"):
        assert back.get(key, "") == code[key], key
    assert back.get("examples_typical", []) == typical
    assert back.get("examples_borderline", []) == borderline
