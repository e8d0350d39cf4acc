"""Hard-limit checks and the success rule of the conversation suite, on made-up offers."""

from __future__ import annotations

import datetime as dt

from benchmarks.offer_limits import (
    OfferFacts,
    OfferingFacts,
    breaks_time,
    broken_limits,
    judge,
    stated_times,
    totals,
)

# Coordinates of a library in Helmond and in Veldhoven (as in the sample catalogue).
HELMOND = (51.479, 5.657)
VELDHOVEN = (51.418, 5.403)


def offer(source_id="x", **offering):
    return OfferFacts(source_id=source_id, title="Cursus", offerings=[OfferingFacts(**offering)])


def test_price():
    assert broken_limits({"max_price_eur": 100}, offer(price_eur=150.0)) == ["price 150 > 100"]
    assert broken_limits({"max_price_eur": 100}, offer(price_eur=100.0)) == []
    assert broken_limits({"max_price_eur": 0}, offer(price_eur=0.0)) == []
    assert broken_limits({"max_price_eur": 0}, offer(price_eur=None)) == []  # unknown price


def test_mode():
    assert broken_limits({"mode_not": "online"}, offer(mode="online")) == ["mode online"]
    assert broken_limits({"mode_not": "online"}, offer(mode="hybrid")) == []
    assert broken_limits({"mode_not": "on_site"}, offer(mode="on_site")) == ["mode on_site"]


def test_distance_from_the_named_place():
    near = offer(mode="on_site", latitude=HELMOND[0], longitude=HELMOND[1])
    far = offer(mode="on_site", latitude=VELDHOVEN[0], longitude=VELDHOVEN[1])
    limit = {"within_km_of": {"place": "Stiphout", "km": 10}}  # a village: measured from itself
    assert broken_limits(limit, near) == []
    assert broken_limits(limit, far) == ["17.2 km from Stiphout > 10"]
    # Stiphout lies 3 km from Helmond's centre: an offering in Helmond's centre breaks "max 2 km".
    assert broken_limits({"within_km_of": {"place": "Stiphout", "km": 2}}, near) != []
    assert broken_limits({"within_km_of": {"place": "Helmond", "km": 2}}, near) == []
    # Online offerings are not travelled to; no coordinates: the municipality's centre.
    assert broken_limits(limit, offer(mode="online", latitude=VELDHOVEN[0], longitude=VELDHOVEN[1])) == []
    assert broken_limits(limit, offer(mode="on_site", municipality="Veldhoven")) != []


def test_time_of_day_only_where_the_schedule_states_it():
    assert stated_times("elke maandag van 13.30 tot 16.00 uur") == {"daytime", "weekday"}
    assert stated_times("2 avonden per week") == {"evening"}
    assert stated_times("1 keer per week 2 uur") == set()
    assert breaks_time("evening", "elke dinsdagochtend van 10.00 tot 12.00 uur")
    assert not breaks_time("evening", "2 avonden per week")
    assert not breaks_time("evening", "")  # nothing stated: not broken
    assert breaks_time("daytime", "2 avonden per week")
    assert not breaks_time("daytime", "4 ochtenden")
    assert breaks_time("weekend", "elke woensdag van 13.30 tot 16.00 uur")
    assert not breaks_time("weekend", "op zaterdag 10.00-16.00 uur")
    assert broken_limits({"time_of_day": "evening"}, offer(schedule="elke maandagmiddag")) != []


def test_teaching_language():
    assert broken_limits({"language": "nl"}, offer(teaching_language="en")) == ["taught in en"]
    assert broken_limits({"language": "nl"}, offer(teaching_language="nl")) == []
    assert broken_limits({"language": "en"}, offer(teaching_language=None)) == []
    # OOAPI writes ISO 639-2 codes or language tags.
    assert broken_limits({"language": "nl"}, offer(teaching_language="nld")) == []
    assert broken_limits({"language": "nl"}, offer(teaching_language="en-GB")) == ["taught in en-GB"]


def test_an_offer_breaks_a_limit_only_when_every_current_offering_does():
    two = OfferFacts(
        source_id="y",
        offerings=[OfferingFacts(price_eur=500.0), OfferingFacts(price_eur=50.0)],
    )
    assert broken_limits({"max_price_eur": 100}, two) == []
    ended = OfferFacts(
        source_id="z",
        offerings=[
            OfferingFacts(price_eur=50.0, end_date=dt.date(2020, 1, 1)),
            OfferingFacts(price_eur=500.0),
        ],
    )
    assert broken_limits({"max_price_eur": 100}, ended, today=dt.date(2026, 12, 7)) == ["price 500 > 100"]


def test_success_rule():
    offers = {"a": offer("a", price_eur=10.0), "b": offer("b", price_eur=900.0), "c": offer("c")}
    limits = {"max_price_eur": 100}
    expected = {"fits": ["a"], "fallback": ["c"]}
    assert judge(["a"], expected, limits, offers, False).success
    verdict = judge(["a", "b"], expected, limits, offers, False)
    assert not verdict.success and verdict.reason == "limit broken" and "b" in verdict.limits_broken
    assert judge(["c"], expected, limits, offers, True).reason == "wrong theme"
    assert judge([], expected, limits, offers, True).reason == "no offer shown (advisor offered)"
    assert judge([], expected, limits, offers, False).reason == "no offer shown"
    assert judge([], expected, limits, offers, False, stuck=True).reason == "stuck on a question"
    # Nothing fits: a fallback offer, or an advisor / walk-in hour offered, is a success.
    nothing_fits = {"fits": [], "fallback": ["c"]}
    assert judge(["c"], nothing_fits, limits, offers, False).success
    assert judge([], nothing_fits, limits, offers, True).success
    assert not judge([], nothing_fits, limits, offers, False).success
    assert judge(["a"], nothing_fits, limits, offers, False).reason == "no fallback or advisor offered"
    assert judge(["b"], expected, limits, offers, False).reason == "wrong theme (and a limit broken)"
    assert judge([], {"fits": [], "fallback": []}, limits, offers, True).success


def test_totals_per_language():
    rows = [
        {"lang": "nl", "success": True},
        {"lang": "nl", "success": False},
        {"lang": "en", "success": True},
    ]
    result = totals(rows)
    assert result["overall"] == {"n": 3, "ok": 2, "rate": 2 / 3}
    assert result["nl"]["ok"] == 1 and result["en"]["rate"] == 1.0
