"""The simulated user of the conversation suite: question -> fact, fact -> answer, button choice."""

from __future__ import annotations

import copy

import pytest

from benchmarks.simulated_user import (
    SimulatedUser,
    budget_answer,
    choose_button,
    dont_know_button,
    goal_code,
    place_names,
    question_kind,
    time_code,
)

ROLE_BUTTONS = [
    {"title": "Ik werk", "payload": '/inform{"role": "employee"}'},
    {"title": "Ik zoek werk", "payload": '/inform{"role": "job_seeker"}'},
    {"title": "Ondernemer of zzp", "payload": '/inform{"role": "entrepreneur"}'},
    {"title": "Met pensioen", "payload": '/inform{"role": "retiree"}'},
    {"title": "Anders", "payload": '/inform{"role": "other"}'},
]
BUDGET_BUTTONS = [
    {"title": "Gratis", "payload": '/inform{"budget": "free"}'},
    {"title": "Tot 100 euro", "payload": '/inform{"budget": "up_to_100"}'},
    {"title": "Tot 500 euro", "payload": '/inform{"budget": "up_to_500"}'},
    {"title": "Meer", "payload": '/inform{"budget": "more"}'},
    {"title": "Weet ik niet", "payload": "/dont_know"},
]
PLACE_BUTTONS = [
    {"title": "Eindhoven", "payload": "Eindhoven"},
    {"title": "Helmond", "payload": "Helmond"},
    {"title": "Ergens anders", "payload": "elders"},
]
YES_NO = [{"title": "Ja, klopt", "payload": "/affirm"}, {"title": "Nee, iets aanpassen", "payload": "/deny"}]

PERSON = {
    "id": "t01",
    "lang": "nl",
    "opening": ["hoi"],
    "later": [],
    "facts": {
        "situation": "retired",
        "occupation": "gepensioneerd leerkracht",
        "wants_to_learn": "computer: e-mailen, foto's bewaren",
        "place": "Stiphout (Helmond)",
        "budget": "kleine bijdrage prima, tot 100 euro",
        "time": "overdag",
        "mode": "not online",
        "teaching_language": "nl",
    },
    "hard_limits": {
        "max_price_eur": 100,
        "mode_not": "online",
        "within_km_of": None,
        "time_of_day": "daytime",
    },
}


def person(**changes):
    data = copy.deepcopy(PERSON)
    for key, value in changes.items():
        if key in data["facts"]:
            data["facts"][key] = value
        elif key in data["hard_limits"]:
            data["hard_limits"][key] = value
        else:
            data[key] = value
    return data


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        ("utter_ask_intake_form_role", "role"),
        ("utter_ask_intake_form_goal", "goal"),
        ("utter_ask_intake_form_topic", "topic"),
        ("utter_ask_topic", "topic"),
        ("utter_ask_what_to_learn", "topic"),
        ("utter_ask_intake_form_municipality", "place"),
        ("utter_ask_municipality", "place"),
        ("utter_ask_budget", "budget"),
        ("utter_ask_max_price", "budget"),
        ("utter_ask_time_preference", "time"),
        ("utter_ask_intake_form_hours_per_week", "hours"),
        ("utter_ask_mode_preference", "mode"),
        ("utter_ask_teaching_language", "language_choice"),
        ("utter_intake_summary", "confirm"),
        ("utter_ask_did_you_mean", "clarify"),
        ("utter_clarify_theme", "clarify"),
        ("utter_ask_helpful", "helpful"),
        ("utter_ask_discuss_with_advisor", "advisor"),
        ("utter_handoff_offline", "handoff"),
        ("utter_walk_in_option", "handoff"),
        ("utter_ask_scan_hands", "scan"),
        ("utter_greet", "open"),
        ("utter_no_offers", "open"),
        ("utter_something_new", "other"),
        (None, "other"),
    ],
)
def test_question_kind_comes_from_the_response_name(response, kind):
    assert question_kind(response) == kind


def test_button_by_payload_code_then_by_title():
    assert choose_button(ROLE_BUTTONS, code="retiree")["title"] == "Met pensioen"
    assert choose_button(ROLE_BUTTONS, answer="ik zoek werk")["title"] == "Ik zoek werk"
    assert choose_button(ROLE_BUTTONS, answer="astronaut op de maan") is None
    assert choose_button([], code="retiree") is None


def test_dont_know_button_by_payload():
    assert dont_know_button(BUDGET_BUTTONS)["title"] == "Weet ik niet"
    assert dont_know_button(ROLE_BUTTONS) is None


def test_place_names_most_natural_first():
    assert place_names("Stiphout (Helmond)") == ["Stiphout", "Helmond"]
    assert place_names("Eindhoven (Woensel)")[0] == "Eindhoven"
    assert place_names("Reusel (Reusel-De Mierden)")[0] == "Reusel"


def test_budget_from_the_hard_limit_or_the_fact():
    assert budget_answer(person(max_price_eur=0), "nl") == ("free", "gratis")
    assert budget_answer(person(max_price_eur=100), "en")[0] == "up_to_100"
    # Between two buttons: typed, so no button allows more than the person pays.
    assert budget_answer(person(max_price_eur=150), "nl") == (None, "max 150 euro")
    assert budget_answer(person(max_price_eur=None, budget="werkgever betaalt"), "nl")[0] == "more"
    assert budget_answer(person(max_price_eur=None, budget="max 200 euro"), "nl") == (None, "max 200 euro")


def test_time_from_the_limit_else_the_first_time_word():
    assert time_code(person(time_of_day="evening")) == "evenings"
    assert time_code(person(time_of_day=None, time="avonds of zaterdag")) == "evenings"
    assert time_code(person(time_of_day=None, time="in de schoolvakantie of op zaterdag")) == "weekends"
    assert time_code(person(time_of_day=None, time="flexibel door wisseldiensten")) == "any_time"
    assert time_code(person(time_of_day=None, time="iets")) is None


def test_goal_from_what_the_person_wants_to_learn():
    assert goal_code({"wants_to_learn": "computer: e-mailen"}) == "digital_skills"
    assert goal_code({"wants_to_learn": "Dutch, A1 to A2"}) == "dutch_language"
    assert goal_code({"wants_to_learn": "leidinggeven, een team aansturen"}) == "grow_in_job"
    assert goal_code({"wants_to_learn": "boekhouding bijhouden, btw-aangifte"}) == "business"
    assert goal_code({"wants_to_learn": "sterrenkunde"}) is None


def test_user_taps_the_fitting_buttons():
    user = SimulatedUser(person())
    assert user.reply("utter_ask_intake_form_role", ROLE_BUTTONS).tapped == "Met pensioen"
    assert user.reply("utter_ask_budget", BUDGET_BUTTONS).tapped == "Tot 100 euro"
    reply = user.reply("utter_ask_intake_form_municipality", PLACE_BUTTONS)
    assert reply.tapped is None and reply.text == "Stiphout"
    assert user.reply("utter_ask_intake_form_topic", []).text == "computer"


def test_asked_again_the_user_rewords_then_skips():
    user = SimulatedUser(person())
    assert user.reply("utter_ask_municipality", PLACE_BUTTONS).text == "Stiphout"
    assert user.reply("utter_ask_municipality", PLACE_BUTTONS).tapped == "Helmond"
    user = SimulatedUser(person(max_price_eur=150))
    assert user.reply("utter_ask_budget", BUDGET_BUTTONS).text == "max 150 euro"
    assert user.reply("utter_ask_budget", BUDGET_BUTTONS).tapped == "Weet ik niet"


CAP_BUTTONS = [
    {"title": "Tot 1000 euro", "payload": '/inform{"price_cap": "1000"}'},
    {"title": "Maakt niet uit", "payload": '/inform{"price_cap": "any"}'},
]


def test_after_more_the_user_types_the_cap_or_says_it_does_not_matter():
    assert (
        SimulatedUser(person(max_price_eur=750)).reply("utter_ask_price_cap", CAP_BUTTONS).text
        == "max 750 euro"
    )
    no_cap = SimulatedUser(person(max_price_eur=None, budget="werkgever betaalt"))
    assert no_cap.reply("utter_ask_price_cap", CAP_BUTTONS).tapped == "Maakt niet uit"


def test_summary_is_confirmed_or_the_place_corrected_once():
    user = SimulatedUser(person())
    assert user.reply("utter_intake_summary", YES_NO, {"municipality": "Helmond"}).tapped == "Ja, klopt"
    user = SimulatedUser(person())
    first = user.reply("utter_intake_summary", YES_NO, {"municipality": "Eindhoven"})
    assert first.tapped is None and "Stiphout" in first.text
    assert user.reply("utter_intake_summary", YES_NO, {"municipality": "Eindhoven"}).tapped == "Ja, klopt"


def test_the_user_asks_for_its_language_once():
    buttons = [{"title": "English please", "payload": '/choose_language{"language": "en"}'}]
    user = SimulatedUser(person(lang="en"))
    assert user.reply("utter_ask_what_to_learn", buttons, {"language": "nl"}).tapped == "English please"
    assert user.reply("utter_ask_what_to_learn", buttons, {"language": "nl"}).text != buttons[0]["payload"]


def test_the_user_stops_at_offers_or_an_advisor():
    user = SimulatedUser(person())
    assert user.reply("utter_ask_helpful", YES_NO) is None
    assert user.reply("utter_ask_discuss_with_advisor", YES_NO) is None
    assert user.reply("utter_handoff_offline", []) is None


def test_hours_not_in_the_facts_are_skipped():
    buttons = [{"title": "1 of 2 uur", "payload": '/inform{"hours_per_week": "1-2"}'}, BUDGET_BUTTONS[-1]]
    assert (
        SimulatedUser(person()).reply("utter_ask_intake_form_hours_per_week", buttons).tapped
        == "Weet ik niet"
    )
    user = SimulatedUser(person(time="daytime, full-time study"))
    buttons.append({"title": "Meer dan 10 uur", "payload": '/inform{"hours_per_week": "10+"}'})
    assert user.reply("utter_ask_intake_form_hours_per_week", buttons).tapped == "Meer dan 10 uur"


def test_did_you_mean_picks_the_subject_that_fits_else_rewords():
    themes = [
        {"title": "Ondernemen", "payload": '/inform{"theme": "ondernemen"}'},
        {"title": "Computer en digitaal", "payload": '/inform{"theme": "digitaal"}'},
        {"title": "Iets anders", "payload": "/dont_know"},
    ]
    user = SimulatedUser(person())
    assert user.reply("utter_clarify_theme", themes).tapped == "Computer en digitaal"
    # A near spelling is no match ("lezingen" is not "leidinggeven").
    lead = [{"title": "leidinggeven", "payload": '/inform{"theme": "leadership"}'}]
    assert SimulatedUser(person(wants_to_learn="lezingen")).reply("utter_clarify_theme", lead).tapped is None
    user = SimulatedUser(person(wants_to_learn="sterrenkunde, planeten kijken"))
    assert user.reply("utter_clarify_theme", themes).text == "sterrenkunde"
    assert user.reply("utter_clarify_theme", themes).text == "planeten kijken"
    assert user.reply("utter_clarify_theme", themes).tapped == "Iets anders"


def test_interest_test_questions_get_the_middle_answer_and_the_search_a_yes():
    scores = [
        {"title": "Ja", "payload": '/inform{"score": "2"}'},
        {"title": "Een beetje", "payload": '/inform{"score": "1"}'},
        {"title": "Nee", "payload": '/inform{"score": "0"}'},
    ]
    user = SimulatedUser(person())
    assert user.reply("utter_ask_scan_hands", scores).tapped == "Een beetje"
    assert user.reply("utter_ask_search_after_scan", YES_NO).tapped == "Ja, klopt"


def test_a_remark_without_question_gets_the_persons_need():
    reply = SimulatedUser(person()).reply("utter_faq/slim", [])
    assert reply.text == "ik zoek iets voor computer in Stiphout"


RELAX_BUTTONS = [
    {"title": "Ja, laat zien", "payload": '/inform{"max_price_eur": 150, "budget": "up_to_500"}'},
    {"title": "Chat met een adviseur", "payload": "/request_human"},
    {"title": "Naar het inloopspreekuur", "payload": "/request_walk_in"},
]


@pytest.mark.parametrize(
    ("blocked", "limits", "payload", "taps"),
    [
        # a price: yes when the amount the button names is within the hard cap
        ("price", {"max_price_eur": 200}, RELAX_BUTTONS[0]["payload"], True),
        ("price", {"max_price_eur": 100}, RELAX_BUTTONS[0]["payload"], False),
        ("price", {"max_price_eur": None}, RELAX_BUTTONS[0]["payload"], True),
        ("price", {"max_price_eur": 100}, '/inform{"budget": "more"}', False),  # no amount named
        # other limits: yes unless that limit is a hard one
        (
            "distance",
            {"within_km_of": {"place": "Helmond", "km": 10}},
            '/inform{"max_distance_km": "15"}',
            False,
        ),
        ("distance", {"within_km_of": None}, '/inform{"max_distance_km": "15"}', True),
        ("time", {"time_of_day": "evening"}, '/inform{"time_preference": "any_time"}', False),
        ("language", {"language": None}, '/inform{"teaching_language": "nl"}', True),
        ("language", {"language": "nl"}, '/inform{"teaching_language": "nl"}', True),
        ("language", {"language": "en"}, '/inform{"teaching_language": "nl"}', False),
        ("online", {"mode_not": "online"}, '/inform{"mode_preference": "online"}', False),
        ("online", {"mode_not": "on_site"}, '/inform{"mode_preference": "online"}', True),
        ("on_site", {"mode_not": "on_site"}, '/inform{"mode_preference": "both"}', False),
        ("on_site", {"mode_not": None}, '/inform{"mode_preference": "both"}', True),
        # nothing online; at a place in another town, which the distance limit rules out
        (
            "on_site",
            {"within_km_of": {"place": "Deurne", "km": 10}},
            '/inform{"mode_preference": "both", "municipality": "Helmond"}',
            False,
        ),
    ],
)
def test_the_user_looks_past_a_limit_only_when_it_is_not_a_hard_one(blocked, limits, payload, taps):
    data = person()
    data["hard_limits"] = {key: None for key in data["hard_limits"]} | limits
    buttons = [{**RELAX_BUTTONS[0], "payload": payload}, *RELAX_BUTTONS[1:]]
    reply = SimulatedUser(data).reply("utter_ask_relax_or_advisor", buttons, {"unmet_limit": blocked})
    assert (reply is not None and reply.text == payload) is taps
    # The user of sessions 1-7 always stopped there.
    old = SimulatedUser(data, stop_at_relax=True)
    assert old.reply("utter_ask_relax_or_advisor", buttons, {"unmet_limit": blocked}) is None


def test_the_relax_question_is_its_own_kind():
    assert question_kind("utter_ask_relax_or_advisor") == "relax"
