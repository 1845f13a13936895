"""Sentiment through ``bot.sentiment``'s public interface: complaints TextBlob misses, negation, contrast."""

from __future__ import annotations

import pytest
from textblob import TextBlob

from bot.sentiment import SentimentScorer, analyse_sentiment


@pytest.mark.parametrize(
    "text",
    [
        "thanks for nothing",
        "Still waiting for my refund",
        "3rd time calling about this",
        "Great job losing my bag again",
        "Oh wonderful, love being on hold",
        "on hold for 45 minutes",
        "my flight was delayed and nobody told us anything",
        "I was charged twice",
    ],
)
def test_short_complaints_are_negative(text: str) -> None:
    result = analyse_sentiment(text)
    assert result.label == "negative"
    assert result.score < 0


@pytest.mark.parametrize("text", ["thanks for nothing", "Still waiting for my refund", "Great job losing my bag again"])
def test_complaints_textblob_alone_reads_as_not_negative_are_negative(text: str) -> None:
    """The reason this scorer exists: TextBlob's polarity (kept in the result) is not negative, the label is."""
    result = analyse_sentiment(text)
    assert result.polarity == pytest.approx(TextBlob(text).sentiment.polarity)  # the stored polarity is TextBlob's
    assert result.polarity >= 0, "TextBlob now reads this complaint as negative: pick one it still misses"
    assert (result.label, result.score < 0) == ("negative", True)


@pytest.mark.parametrize(
    "text",
    ["The driver was friendly and the delivery was on time", "Thank you, the agent sorted it in minutes!",
     "No problems at all, very smooth"],
)
def test_praise_is_positive(text: str) -> None:
    assert analyse_sentiment(text).label == "positive"


@pytest.mark.parametrize("text", ["Can I change my flight to tomorrow?", "What time do you open on Saturday?", ""])
def test_questions_and_empty_answers_are_neutral(text: str) -> None:
    result = analyse_sentiment(text)
    assert result.label == "neutral"
    assert abs(result.score) < 0.15


def test_negation_flips_sentiment() -> None:
    assert analyse_sentiment("I am happy with the service").label == "positive"
    assert analyse_sentiment("I am not happy with the service").label == "negative"
    assert analyse_sentiment("The delivery was not on time").score < 0


def test_the_clause_after_but_weighs_more() -> None:
    assert analyse_sentiment("The seats were nice but the staff were rude and unhelpful").label == "negative"
    assert analyse_sentiment("The wait was long but the agent was brilliant and fixed everything").label == "positive"


def test_textblob_polarity_and_subjectivity_are_kept_for_storage() -> None:
    text = "The package arrived late and the box was damaged"
    result = analyse_sentiment(text)
    blob = TextBlob(text).sentiment
    assert result.polarity == pytest.approx(blob.polarity)
    assert result.subjectivity == pytest.approx(blob.subjectivity)
    assert -1 <= result.score <= 1


def test_the_lexicon_is_data_not_code() -> None:
    scorer = SentimentScorer(
        {"words": {"meh": -2.0}, "phrases": {"could not care less": -3.0}, "negations": ["not"]}
    )
    assert scorer.score("meh") < 0
    assert scorer.score("they could not care less") < -0.5
    assert scorer.score("meh") < scorer.score("not meh")


def test_handles_and_links_are_not_sentiment() -> None:
    # VADER's word list scores "united" as positive; a tweet to @united is not praise.
    assert analyse_sentiment("@united flight to Denver tomorrow").label == "neutral"
    assert analyse_sentiment("@united https://t.co/abc #NeverFlyingAgain").label == "negative"


def test_irony_after_a_complaint_and_emoji() -> None:
    assert analyse_sentiment("On hold for two hours. Love it.").label == "negative"
    assert analyse_sentiment("Oh great, another delay").label == "negative"
    assert analyse_sentiment("Great flight, lovely crew").label == "positive"
    assert analyse_sentiment("new episode tonight 🎉").label == "positive"
    assert analyse_sentiment("monday again 🙄").label == "negative"


# --- tweet and chat writing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("see you tomorrow <3", "positive"),
        ("see you tomorrow :(", "negative"),
        ("back at work tomorrow ^_^", "positive"),
        ("back at work tomorrow -_-", "negative"),
        ("class at 8am :/", "negative"),
        ("my flight got moved to 6am </3", "negative"),
        ("monday again :'(", "negative"),
    ],
)
def test_emoticons_carry_the_sentiment(text: str, label: str) -> None:
    assert analyse_sentiment(text).label == label


def test_a_repeated_emoticon_is_the_same_face() -> None:
    assert analyse_sentiment("see you tomorrow :)))").label == "positive"
    assert analyse_sentiment("see you tomorrow :((((").label == "negative"
    assert analyse_sentiment("see you tomorrow <3<3<3").label == "positive"


def test_stretched_words_are_read_and_weigh_more() -> None:
    assert analyse_sentiment("that burger was goooood").label == "positive"
    assert analyse_sentiment("loooove this place").label == "positive"
    assert analyse_sentiment("this update is baaaad").label == "negative"
    assert analyse_sentiment("sooo good").score > analyse_sentiment("so good").score > 0


def test_a_shouted_word_weighs_more_but_a_shouted_tweet_does_not() -> None:
    assert analyse_sentiment("the flight was LATE").score < analyse_sentiment("the flight was late").score < 0
    shouted_tweet = analyse_sentiment("THE FLIGHT WAS LATE").score
    assert shouted_tweet == pytest.approx(analyse_sentiment("the flight was late").score)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("@united landed in Denver #neveragain", "negative"),
        ("@united landed in Denver #NeverAgain", "negative"),
        ("bag went to Boston, I went to Denver #unitedfail", "negative"),
        ("3 days and counting #lostmybag", "negative"),
        ("first day at the new job #blessed", "positive"),
    ],
)
def test_hashtags_are_read_as_words(text: str, label: str) -> None:
    assert analyse_sentiment(text).label == label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("luv this place", "positive"),
        ("gr8 crew on my flight today", "positive"),
        ("thx for the quick reply", "positive"),
        ("tbh not impressed", "negative"),
        ("idk what time the store opens", "neutral"),
        ("cant wait for the weekend", "positive"),
        ("dont like the new menu", "negative"),
    ],
)
def test_slang_and_abbreviations(text: str, label: str) -> None:
    assert analyse_sentiment(text).label == label


def test_laughter_is_cheerful_alone_and_a_shrug_in_a_complaint() -> None:
    assert analyse_sentiment("my cat is asleep on my keyboard lol").label == "positive"
    assert analyse_sentiment("4 hours on the tarmac lol").label == "negative"
    assert analyse_sentiment("hahahaha best day").label == "positive"
    assert analyse_sentiment("my dog in a party hat 😂").label == "positive"
    assert analyse_sentiment("flight delayed again 😂😂").label == "negative"
    assert analyse_sentiment("my car got towed. cool cool cool").label == "negative"


@pytest.mark.parametrize(
    "text",
    [
        "RT @citynews: Council meets on Tuesday to vote on the budget http://t.co/abc",
        "Apple to unveil new iPhone at September event http://bit.ly/xyz",
        "Top 10 destinations for 2016 http://t.co/top",
        "The library will be closed Monday for the holiday",
        "Tickets for the tour go on sale Friday at 10am",
        "@united is there a direct flight to Boston on Friday?",
        "what's the number for lost and found at the airport?",
        "stocks open higher ahead of the jobs report",
        "@airline I need a receipt for my bag fee",
        "Central bank holds interest rates, signals a cut in spring",
        "Join us for a webinar on Thursday",
        "Tax cuts bill goes to the Senate",
    ],
)
def test_news_announcements_and_questions_stay_neutral(text: str) -> None:
    assert analyse_sentiment(text).label == "neutral"


@pytest.mark.parametrize(
    "text",
    [
        "still no update on my refund",
        "no wifi on a 6 hour flight",
        "your app keeps logging me out",
        "been trying to reach someone for a week",
        "can't sleep again",
        "the kiosk ate my boarding pass and nobody's at the desk",
        "@united thanks for the 3 hour delay",
        "@airline why did my flight get moved to 6am?",
        "@shop where is my parcel",
        "had to pay $80 to change the date",
        "I was promised a call back yesterday",
        "your website has been down all morning",
        "you guys need to hire more staff",
        "they moved my seat without telling me",
    ],
)
def test_complaints_without_a_sentiment_word(text: str) -> None:
    assert analyse_sentiment(text).label == "negative"


def test_speed_is_praise_and_waiting_is_not() -> None:
    assert analyse_sentiment("refund came through in 2 days, thanks").label == "positive"
    assert analyse_sentiment("sorted in like 5 minutes").score > analyse_sentiment("waited 5 minutes").score
    assert analyse_sentiment("waited 2 days for a reply").label == "negative"


def test_no_is_a_negation_and_loyalty_is_praise() -> None:
    # "no" was once read by YAML as the boolean false, so it negated nothing.
    assert analyse_sentiment("no good").label == "negative"
    assert analyse_sentiment("free wifi and snacks, never flying anyone else").label == "positive"


def test_a_tweet_can_ask_without_a_question_mark() -> None:
    assert analyse_sentiment("anyone know a good mechanic in Austin").label == "neutral"
    assert analyse_sentiment("does anyone know a good mechanic in Austin?").label == "neutral"
    assert analyse_sentiment("a good mechanic in Austin, finally").label == "positive"


def test_irony_needs_no_complaint_word_when_the_writer_signals_it() -> None:
    assert analyse_sentiment("Oh great, the engineer turned up without the part.").label == "negative"
    assert analyse_sentiment("Truly amazing service on the 8:15 🙃").label == "negative"
    assert analyse_sentiment("best customer service ever /s").label == "negative"
    assert analyse_sentiment("Oh brilliant, moved for the third time. So looked after 👏").label == "negative"
    # Without the signal the same praise stands, and a link's "/s" is not one.
    assert analyse_sentiment("Truly amazing service on the 8:15").label == "positive"
    assert analyse_sentiment("great service, see https://example.com/s/review").label == "positive"


def test_asking_about_a_charge_or_an_outage_is_not_a_complaint_but_asking_why_is() -> None:
    assert analyse_sentiment("How do I dispute a charge on my bill?").label == "neutral"
    assert analyse_sentiment("Is there an outage in my area right now?").label == "neutral"
    assert analyse_sentiment("why is there an outage again?? third time this week").label == "negative"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("nothing like a good book on a rainy day", "positive"),
        ("this new album is fire", "positive"),
        ("missed the bus again, just my luck", "negative"),
        ("rent prices are out of control", "negative"),
        ("the upgrade made our day", "positive"),
        ("my favourite bakery closed for good", "negative"),
        ("this heat is unbearable", "negative"),
        ("could be worse", "neutral"),
        ("not sure how I feel about the new logo", "neutral"),
    ],
)
def test_idioms_are_read_whole(text: str, label: str) -> None:
    assert analyse_sentiment(text).label == label


def test_html_escaped_tweets_are_read_as_written() -> None:
    assert analyse_sentiment("@airline I &lt;3 the new seats").label == "positive"
    assert analyse_sentiment("see you soon &lt;/3").label == "negative"
    assert analyse_sentiment("@airline bags &amp; seats on flight 22").label == "neutral"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("the new season is meh", "negative"),
        ("locked out of my apartment fml", "negative"),
        ("that concert was fucking amazing", "positive"),
        ("this dessert is delish", "positive"),
    ],
)
def test_interjections_and_swearing_as_intensifier(text: str, label: str) -> None:
    assert analyse_sentiment(text).label == label


def test_ironic_openers_turn_praise_around_only_beside_a_complaint() -> None:
    assert analyse_sentiment("love how my flight got cancelled").label == "negative"
    assert analyse_sentiment("gotta love 2 hours on hold").label == "negative"
    assert analyse_sentiment("love how the crew remembered my name").label == "positive"


def test_a_negation_used_up_by_praise_is_not_also_a_complaint() -> None:
    assert analyse_sentiment("@airline never disappoints").label == "positive"
    # ... but a negation that flips a complaint-free word keeps its own weight: both count here.
    assert analyse_sentiment("nobody helped").score <= -0.3


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I want to speak to a supervisor", "negative"),
        ("can't even get a human on the phone", "negative"),
        ("shout out to the crew on flight 455", "positive"),
        ("hats off to the pilot", "positive"),
        ("the agent at gate 12 deserves a raise", "positive"),
    ],
)
def test_service_idioms(text: str, label: str) -> None:
    assert analyse_sentiment(text).label == label


@pytest.mark.parametrize(
    "text",
    ["got bumped off my flight", "the app is so buggy", "the bathroom was filthy", "they gave me the runaround",
     "my ticket is still unresolved"],
)
def test_service_failures_vader_leaves_neutral(text: str) -> None:
    assert analyse_sentiment(text).label == "negative"


def test_exclamations_alone_are_excitement() -> None:
    assert analyse_sentiment("got the keys to our first house today!!!").label == "positive"
    assert analyse_sentiment("got the keys to our first house today").label == "neutral"


def test_without_is_no_unmet_expectation_and_no_denies_only_the_next_words() -> None:
    assert analyse_sentiment("ran my first 10k without stopping!!!").label == "positive"
    assert analyse_sentiment("no change fees saved me a lot this week, appreciate it").label == "positive"
    assert analyse_sentiment("no good").label == "negative"


@pytest.mark.parametrize(
    "text",
    [
        "@airline thanks for breaking my suitcase",
        "@airline thanks for putting me on hold for 2 hours",
        "@airline great, just great",
        "well that's just great",
        "appreciate the response but it doesn't help",
    ],
)
def test_more_irony_and_polite_complaints(text: str) -> None:
    assert analyse_sentiment(text).label == "negative"


def test_praise_said_twice_is_not_irony() -> None:
    assert analyse_sentiment("great flight, just great crew").label == "positive"


def test_thanks_beside_a_complaint_is_politeness() -> None:
    assert analyse_sentiment("@airline thanks for the update, still no bag though").label == "negative"
    assert analyse_sentiment("@airline thanks for the fast rebooking after the cancellation").label == "positive"
    assert analyse_sentiment("@airline thanks for the update").label == "positive"


def test_who_is_switching_and_what_was_supposed_to_happen() -> None:
    assert analyse_sentiment("the city is switching to a new recycling schedule next month").label == "neutral"
    assert analyse_sentiment("I'm switching to another bank").label == "negative"
    assert analyse_sentiment("it's supposed to snow on Tuesday").label == "neutral"
    assert analyse_sentiment("my bag was supposed to be here yesterday").label == "negative"
    assert analyse_sentiment("the phone line says call back later and hangs up").label == "negative"


def test_a_question_can_open_inside_the_sentence() -> None:
    assert analyse_sentiment("I have a voucher from last year, how do I use it?").label == "neutral"
    assert analyse_sentiment("got a great deal last year, can I get it again?").label == "neutral"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I've been on the phone since 9am", "negative"),
        ("no power since Monday", "negative"),
        ("we've been open since 1990", "neutral"),
        ("my train is late. every. single. time.", "negative"),
        ("premium and still getting ads, what am I paying for", "negative"),
    ],
)
def test_time_spans_and_repeats(text: str, label: str) -> None:
    assert analyse_sentiment(text).label == label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The seats were comfy and the crew polite", "positive"),
        ("Reliable, tasty and affordable", "positive"),
        ("Soggy fries and a lukewarm burger", "negative"),
        ("Overrated and overcharging", "negative"),
        ("The agent was condescending and dismissive", "negative"),
    ],
)
def test_everyday_praise_and_complaint_words_the_package_lists_lack(text: str, label: str) -> None:
    assert analyse_sentiment(text).label == label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I like the new seats", "positive"),
        ("I would like to change my seat", "neutral"),  # a request, not praise
        ("I like how they cancelled my flight and nobody told me", "negative"),
        ("The app works well", "positive"),
        ("Well, my bag is still missing", "negative"),
        ("I'll be back!", "positive"),
        ("We won't be back", "negative"),
        ("Don't waste your money", "negative"),  # a warning, not a negated complaint
        ("Save your money and stay away", "negative"),
        ("Not worth it", "negative"),
        ("Couldn't be happier with the upgrade", "positive"),
        ("I would defiantly fly with them again", "positive"),  # the misspelling of "definitely"
    ],
)
def test_liking_returning_and_warning_idioms(text: str, label: str) -> None:
    assert analyse_sentiment(text).label == label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I wish they had told us earlier", "negative"),
        ("I wish you a happy new year", "positive"),
        ("Far from perfect", "negative"),
        ("Nothing but praise for the crew", "positive"),  # "nothing but" does not negate what follows
        ("Nothing but problems since day one", "negative"),
        ("Exceeded my expectations", "positive"),
        ("Would fly again", "positive"),
        ("I would never fly with you again", "negative"),
        ("Can't fault the staff", "positive"),
        ("Such a letdown", "negative"),
    ],
)
def test_wishes_expectations_and_praise_said_with_a_negation(text: str, label: str) -> None:
    assert analyse_sentiment(text).label == label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The waiter rarely checked on us and was hardly friendly", "negative"),  # rarely, hardly: negations
        ("Hardly ever late", "positive"),
        ("We were less than impressed", "negative"),
        ("It feels cheap and looks cheap", "negative"),
        ("We'd go back again", "positive"),
        ("Delayed again", "negative"),
        ("I ordered the chicken vindaloo", "neutral"),
        ("Nothing at all to recommend", "negative"),
    ],
)
def test_rare_negations_less_than_pleased_and_going_back(text: str, label: str) -> None:
    assert analyse_sentiment(text).label == label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The waiter was lovely", "positive"),  # "waiter" is not a form of "wait"
        ("It is far too loud", "negative"),
        ("Waaay too big", "negative"),
        ("My son was dissapointed", "negative"),  # a common misspelling
        ("Big thumbs up!", "positive"),
        ("We're done with them", "negative"),
        ("Price wise it is fine", "positive"),
    ],
)
def test_excess_misspellings_and_words_that_only_look_like_others(text: str, label: str) -> None:
    assert analyse_sentiment(text).label == label


def test_not_too_much_is_no_complaint_of_excess_and_asking_about_it_is_no_complaint() -> None:
    assert analyse_sentiment("The queue was not too long").score > analyse_sentiment("The queue was too long").score
    assert analyse_sentiment("anyone know if the lounge is too crowded at JFK?").label == "neutral"


def test_a_phrase_with_its_own_negation_is_not_negated_again() -> None:
    # Before: the first "no" negated "no water" and "no info", so the list of complaints read as praise.
    assert analyse_sentiment("no food, no water, no info").label == "negative"
    assert analyse_sentiment("is this how you treat your customers?").label == "negative"
    assert analyse_sentiment("is this how I get a refund?").label == "neutral"
