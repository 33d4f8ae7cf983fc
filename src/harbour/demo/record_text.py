"""Words for the synthetic children's records: how to communicate with them, what they said,
their plans and formulations.

Written in child-centred language: harm is something adults do *to* children, children are
never described as choosing it or as "streetwise", and parents are partners in keeping a child
safe from harm outside the home. Templates use ``{name}`` (the name the child likes to be
called) and ``{him}``, ``{his}``, ``{himself}`` (replaced with the child's own pronouns); a
sentence never starts with a pronoun, so verbs agree whichever pronouns the child uses."""

from __future__ import annotations

from harbour.children.codes import Ethnicity

# Age bands: templates for younger children (5 to 10) and for adolescents (11 to 17).
YOUNG = "young"
TEEN = "teen"

# -- needs -------------------------------------------------------------------------------------

ADHD = (
    "ADHD (combined presentation), diagnosed by the community paediatric service",
    "ADHD (inattentive presentation); finds it hard to focus in long lessons",
    "ADHD; takes medication in the morning, which wears off by the evening",
)
AUTISM = (
    "Autistic, diagnosed by the neurodevelopmental service",
    "Autism, with sensory sensitivity to noise, crowds and touch",
    "Autistic; needs warning of changes to routine",
)
AUTISM_AND_ADHD = (
    "Autism and ADHD, both diagnosed by the neurodevelopmental service",
    "Autistic, with ADHD; finds busy, noisy places overwhelming",
)
MENTAL_HEALTH = (
    "Anxiety, with panic attacks when travelling through the town centre",
    "Low mood and poor sleep since a close friend was hurt",
    "Post-traumatic stress after being assaulted",
    "Self-harm; supported by CAMHS",
    "Anxiety about leaving the house since being robbed",
    "Grief after the death of a parent",
    "Nightmares and flashbacks after domestic abuse at home",
)
SLCN = (
    "Difficulty understanding long sentences and abstract words",
    "Expressive language difficulties: finds it hard to explain events in order",
    "Speech and language needs found on screening; vocabulary well below age",
    "Stammer; finds speaking in groups hard",
    "Receptive language difficulties: often agrees without having understood",
)
LEARNING_DISABILITY = (
    "Mild learning disability",
    "Learning disability; reads and understands at a level well below age",
    "Global developmental delay, now described as a learning disability",
)
PHYSICAL = (
    "Hearing impairment; wears hearing aids",
    "Visual impairment; needs large print",
    "Cerebral palsy affecting mobility on the left side",
    "Type 1 diabetes; needs snacks and checks through the day",
)
NOTED_BY_SOCIAL_CARE = "{description} (noted by social care from partners' records)"

# -- assessments -------------------------------------------------------------------------------

ND_COMPLETED = (
    ("adhd", "Diagnosed with ADHD; medication and school strategies discussed with the family"),
    ("autism", "Diagnosed autistic; report shared with school with the family's agreement"),
    ("", "No neurodevelopmental condition found; speech and language assessment suggested"),
)
CAMHS_COMPLETED = (
    "Seen for eight sessions of trauma-focused therapy",
    "Accepted for treatment and allocated a CAMHS practitioner",
    "Not accepted for treatment; offered the youth hub wellbeing group instead",
)
SALT_COMPLETED = (
    "Receptive language difficulties found; strategies shared with school and youth justice",
    "Expressive language difficulties found; six therapy sessions at school",
)
EHC_NEEDS_COMPLETED = (
    "Decision not to issue a plan; school to meet needs through SEN support with more help",
)
EP_COMPLETED = (
    "Report shared: working memory difficulties, with recommendations for school",
    "Report shared: literacy well below age; reading programme recommended",
)
OT_COMPLETED = ("Sensory assessment completed; ear defenders and movement breaks recommended",)
WITHDRAWN = (
    "Referral closed after appointment letters went to an old address; re-referral requested",
    "The family asked to pause the referral while {name} settled into a new school",
    "Closed when the family moved out of the area for six months; a new referral is needed",
    "Closed by the service after two missed appointments; the team has asked for it to be "
    "reopened with appointments at school",
)

# -- the child's profile -----------------------------------------------------------------------

COMMUNICATION_NEEDS = (
    "Give one instruction at a time, and wait for {name} to finish before the next.",
    "Uses short sentences; check understanding by asking {him} to explain back.",
    "Prefers to talk side by side while walking, not across a table.",
    "Needs extra time to answer. Wait, and do not fill the silence.",
    "Takes words literally: avoid sarcasm and sayings like 'pull your socks up'.",
    "Write down what was agreed as well as saying it; a photo of the plan on {his} phone "
    "works well.",
    "Finds it hard to follow a conversation between several people; meet one to one.",
    "Draws timelines to explain what happened: bring paper and pens.",
    "Nods along even when {name} has not understood. Ask open questions, not 'Do you understand?'",
    "Say {his} name before asking a question, so {name} knows it is for {him}.",
    "Wears headphones to manage noise; this helps {him} listen and is not rudeness.",
    "Do not expect eye contact: {name} listens better looking at something else.",
)
COMMUNICATION_NEEDS_YOUNG = (
    "A visual timetable helps {name} know what is happening next.",
    "Use pictures and a feelings chart; {name} finds words for feelings hard.",
    "Short sentences and one question at a time.",
)
COMMUNICATION_GENERAL = {
    TEEN: (
        "Prefers to talk side by side while walking, not across a table.",
        "Chatty once {name} knows you; the first meeting is usually quiet.",
        "Text before calling, from a number {name} knows.",
        "Talks best while doing something: shooting hoops, cooking, or in the car.",
        "Likes to know who will be at a meeting, and why, before it starts.",
        "Plain words and no jargon; explain what any letter or report means.",
        "Prefers messages to phone calls, and short ones.",
    ),
    YOUNG: (
        "Likes to draw while talking; use pictures and a feelings chart.",
        "Short sessions of twenty minutes work best, with a movement break.",
        "Talks most easily on the floor, playing a game.",
        "Shy with new adults; a familiar adult in the room helps.",
    ),
}
COMMUNICATION_LANGUAGE = (
    "Speaks {language} at home. Offer an interpreter for the family, and ask {name} which "
    "language to use in meetings."
)
WHAT_HELPS = {
    TEEN: (
        "Meeting somewhere {name} knows, like the youth hub or a café.",
        "Being told beforehand who will be at a meeting and what it is for.",
        "A text reminder the day before an appointment.",
        "Food: meetings go better with something to eat.",
        "Being honest about what will happen with what {name} shares.",
        "Seeing the same worker each time.",
        "Time to calm down before talking about what happened.",
        "Being asked what {name} thinks first, before the adults decide.",
        "Praise for small things, said privately rather than in front of others.",
        "A bus pass, so getting to appointments does not depend on anyone else.",
    ),
    YOUNG: (
        "A calm, quiet room and a familiar adult nearby.",
        "Knowing what will happen next, with a simple picture timetable.",
        "Having {his} favourite toy during visits.",
        "Lots of praise and a sticker chart.",
        "Time with {his} older brother or sister at the start of a visit.",
    ),
}
WHAT_TO_AVOID = {
    TEEN: (
        "Meeting at the police station or in the school office.",
        "Lots of professionals in the room at once.",
        "Raised voices: {name} goes quiet and shuts down.",
        "Asking {him} to repeat what {his} other workers already know.",
        "Calls from withheld or unknown numbers; text first.",
        "Talking about {him} in front of younger brothers and sisters.",
        "Visiting in a marked car or in uniform near home, where neighbours can see.",
        "Questions that sound like blame, such as 'Why did you go there?'",
        "Approaching {him} from behind or touching {his} shoulder.",
        "Long letters: {name} finds them hard to read and worrying.",
    ),
    YOUNG: (
        "Sudden changes of plan without warning.",
        "Loud, busy rooms.",
        "Being asked lots of questions at once.",
        "Talking about {his} family's worries in front of {him}.",
    ),
}
DEVELOPMENTAL_AGE = (
    "Functions at around the level of a {dev}-year-old in reading and understanding.",
    "Understands spoken language at around the level of a {dev}-year-old. Uses everyday "
    "words socially, which can hide how much {name} has not understood.",
    "Emotional development closer to a {dev}-year-old: adults should not expect {him} to "
    "weigh up consequences as a {age}-year-old would, and must take the lead in keeping "
    "{him} safe.",
)
STRENGTHS = {
    TEEN: (
        "Funny and quick to make people laugh.",
        "Looks out for {his} younger brothers and sisters.",
        "Determined: kept going to training through a hard year.",
        "Good with {his} hands; rebuilt a bike from parts.",
        "Kind and patient with younger children.",
        "A talented artist.",
        "Honest about how things are, even when it is hard.",
        "Loyal to {his} friends.",
        "A good cook who makes dinner for the family.",
        "Quick at mental maths.",
        "Brave: told a teacher when things felt wrong.",
        "Works hard when {name} has a goal.",
        "Knows a lot about music and how it is made.",
        "Good at calming other people down.",
        "Caring: helps look after {his} nan.",
    ),
    YOUNG: (
        "Curious and asks lots of questions.",
        "Loves helping in class.",
        "Gentle with animals.",
        "A brilliant imagination.",
        "Makes friends easily.",
        "Kind to younger children in the playground.",
    ),
}
INTERESTS = {
    TEEN: (
        "football",
        "music production",
        "drawing",
        "boxing",
        "cooking",
        "gaming",
        "basketball",
        "dance",
        "fixing bikes",
        "cars and mechanics",
        "fashion",
        "nails and make-up",
        "writing lyrics",
        "fishing",
        "animals",
        "swimming",
        "cricket",
        "making videos",
        "anime and manga",
        "hair braiding",
        "baking",
        "photography",
        "skateboarding",
        "coding",
        "chess",
        "singing",
        "the gym",
    ),
    YOUNG: (
        "football",
        "Lego",
        "dinosaurs",
        "drawing",
        "swimming",
        "dancing",
        "Minecraft",
        "reading",
        "singing",
        "riding {his} bike",
        "animals",
        "baking with family",
    ),
}

# Identity and culture, in the child's own terms (adolescents), by ONS ethnic group.
IDENTITY: dict[str, tuple[str, ...]] = {
    Ethnicity.WHITE_BRITISH: (
        "I'm from Riverside, born and bred. My family have always lived round here.",
        "English. I support Riverside Town like my grandad did.",
        "Just British. Family and my mates are what matter.",
    ),
    Ethnicity.WHITE_IRISH: ("Irish. My nan's from Cork and we go over every summer.",),
    Ethnicity.WHITE_GYPSY_IRISH_TRAVELLER: (
        "I'm a Traveller and proud of it. Family is everything to us.",
        "Romany Gypsy. People judge us before they know us.",
    ),
    Ethnicity.WHITE_ROMA: ("Roma. I speak Romanes with my grandma.",),
    Ethnicity.WHITE_OTHER: (
        "Polish. I go to Polish school on Saturdays.",
        "Romanian, but I feel more English now.",
        "Portuguese. My family are from Madeira.",
    ),
    Ethnicity.MIXED_WHITE_ASIAN: ("Half Pakistani, half English. I'm proud of both.",),
    Ethnicity.MIXED_WHITE_BLACK_AFRICAN: (
        "Half Nigerian, half English.",
        "Mixed. My mum's Ghanaian and I love the food at family parties.",
    ),
    Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN: (
        "Mixed race. My dad's side is Jamaican.",
        "Black and white. Sometimes people only see one side of me.",
    ),
    Ethnicity.MIXED_OTHER: ("Mixed. I don't like ticking boxes.",),
    Ethnicity.ASIAN_BANGLADESHI: (
        "British Bangladeshi and Muslim. I go to the mosque with my dad on Fridays.",
        "Bangladeshi. My family is from Sylhet.",
    ),
    Ethnicity.ASIAN_CHINESE: ("British Chinese. I speak Cantonese with my grandparents.",),
    Ethnicity.ASIAN_INDIAN: (
        "British Indian, Sikh. My turban is important to me.",
        "Gujarati and Hindu. Diwali at my aunty's is the best time of year.",
    ),
    Ethnicity.ASIAN_PAKISTANI: (
        "British Pakistani and Muslim. Family is really important to me.",
        "Pakistani. I'm learning Urdu so I can talk to my grandparents properly.",
    ),
    Ethnicity.ASIAN_OTHER: (
        "Tamil. My parents came from Sri Lanka.",
        "Afghan. I still miss home.",
        "Nepali. My dad was in the Gurkhas.",
    ),
    Ethnicity.BLACK_AFRICAN: (
        "Somali. My faith matters to me.",
        "Nigerian, Yoruba. Church on Sundays with my mum.",
        "Eritrean. I came to the UK on my own.",
    ),
    Ethnicity.BLACK_CARIBBEAN: (
        "Black British, Jamaican heritage.",
        "Black. My family are from Trinidad.",
    ),
    Ethnicity.BLACK_OTHER: ("Black British.",),
    Ethnicity.OTHER_ARAB: (
        "Arab, from Syria. I speak Arabic at home.",
        "Iraqi and Muslim.",
    ),
    Ethnicity.OTHER_ANY: (
        "Kurdish. People always get that wrong.",
        "Brazilian. I speak Portuguese with my mum.",
    ),
}
IDENTITY_UNSAID = "I'd rather not say what boxes I fit in. I'm just me."
IDENTITY_GENDER = {
    "Non-binary": "Non-binary; uses they and them.",
    "Genderfluid": "Genderfluid; uses they and them.",
    "Questioning": "Working out their gender; uses they and them for now.",
    "Trans boy": "A trans boy; uses he and him.",
    "Trans girl": "A trans girl; uses she and her.",
}
IDENTITY_PREFERRED_NAME = "Wants everyone to call {him} {name}."
IDENTITY_YOUNG = (
    "Loves family celebrations at {his} nan's.",
    "Proud of the languages {name} speaks at home.",
    "Goes to church with {his} family.",
    "Goes to the mosque on Saturdays and likes the other children there.",
)
WISHES = {
    TEEN: (
        "Wants to go back to college and do mechanics.",
        "Wants to feel safe walking to school and to see {his} friends again.",
        "Wants to stay living at home with {his} family.",
        "Wants {his} mum to get help too, not just {him}.",
        "Wants a job and {his} own money.",
        "Would like to move away from the area for a fresh start.",
        "Wants to be back at {his} old school with {his} friends.",
        "Wants one worker, not five.",
        "Wants to finish {his} GCSEs.",
        "Wants to get back into boxing.",
        "Wants adults to stop talking about {him} without {him} there.",
        "Wants to stay in touch with {his} dad.",
    ),
    YOUNG: (
        "Wants to stay with {his} mum and see {his} dad at weekends.",
        "Wants to have friends round to play.",
        "Wants the shouting at home to stop.",
        "Wants to stay at the same school.",
    ),
}
PREFERRED_REASONS = (
    "listens and does not rush",
    "has known {name} the longest",
    "is honest about what happens next",
    "always turns up when they say they will",
    "makes {name} laugh",
)
PREFERRED_OTHER = (
    "Someone who is not police",
    "A woman worker",
    "A male worker, ideally someone who boxes",
    "The same worker as {his} brother had",
)

# -- the child's own words ----------------------------------------------------------------------

VOICE = {
    TEEN: (
        "I don't feel safe walking past the park after school.",
        "I want to go back to college and do mechanics.",
        "Nobody asked me what I wanted.",
        "I'm tired of telling my story to new people every time.",
        "When the police come round it scares my little sister.",
        "I didn't think I was being groomed. I thought they were my mates.",
        "I owed them money, that's why I couldn't just stop.",
        "I just want to be normal and go to the cinema with my friends.",
        "I like it when you text me first instead of just turning up.",
        "I'm scared to go into town on my own now.",
        "My mum does her best. Don't blame her.",
        "I want to see my dad more.",
        "Boxing is the only thing that keeps my head straight.",
        "I don't trust police. They stop me every time they see me.",
        "I want a worker who actually stays.",
        "I'd rather meet at the youth hub than the office.",
        "When I'm angry it's because I'm scared, but nobody sees that.",
        "I got robbed twice last year and nothing happened.",
        "I want to be a chef.",
        "I want to move away from here and start again.",
        "I don't sleep properly. I keep thinking about what happened.",
        "Can you tell my teachers so I don't have to explain it again?",
        "I liked the plan meeting because I got to choose what came first.",
        "I don't want my nan to find out, she'll worry.",
        "They were nice at first. They bought me food and trainers.",
        "I want to finish my GCSEs.",
        "The online stuff started when I was twelve.",
        "I know you have to tell people some things, I just want to know who.",
        "I wish someone had noticed sooner.",
        "I need help with reading but I'm embarrassed to say.",
        "I want my brother to be safe too.",
        "Just talk to me like a normal person.",
        "I feel better when I'm busy.",
        "I've been making beats on my phone. I'd love to do it properly.",
        "Too many meetings. I don't even know who half of them are.",
        "I want to stay at home. Home isn't the problem.",
        "I was scared to say anything in case they found out.",
    ),
    YOUNG: (
        "I like it when Mum picks me up from school.",
        "I don't like it when they shout.",
        "I want my dog to come with us.",
        "School is fun when we do drawing.",
        "I feel scared at night sometimes.",
        "I want to stay with my nan.",
        "My big brother looks after me.",
        "I want to go to football club like my friends.",
        "I like my teacher because she's kind.",
        "I don't want to change schools.",
    ),
}
# Words that only fit a child in a particular situation, keyed by that situation.
VOICE_WHEN: dict[str, tuple[str, ...]] = {
    "reduced_timetable": (
        "The reduced timetable means I'm just at home bored all afternoon.",
        "I only go in for two hours a day. What's the point?",
    ),
    "alternative_provision": (
        "The AP is alright, but I miss my mates.",
        "The teachers at the AP actually listen to me.",
    ),
    "excluded": ("School was the only place I felt normal, then they kicked me out.",),
    "youth_justice": (
        "I didn't understand what the judge was saying.",
        "My YOT worker is the first person who explained things properly.",
    ),
    "waiting_neurodevelopmental": ("I'm still waiting for the ADHD assessment. It's been ages.",),
}
VOICE_SETTINGS: dict[str, tuple[str, ...]] = {
    "childrens_social_care": (
        "Home visit",
        "Walking to the shop during a home visit",
        "Child protection conference (views shared beforehand)",
        "Child in need review",
        "Return home interview",
        "In the car on the way back from an appointment",
        "Direct work session at the family centre",
    ),
    "youth_justice": (
        "Youth justice appointment",
        "Outside court, after the hearing",
        "Reparation session",
        "Walk and talk session",
    ),
    "school": (
        "In school, with a trusted adult",
        "Pastoral meeting at school",
        "Mentoring session at school",
    ),
    "vcse": (
        "Youth hub drop-in",
        "After a boxing session",
        "Mentoring session in a café",
        "Detached youth work in the park",
    ),
    "police": ("Safe and well visit", "Visit from the child centred policing team"),
    "nhs_trust": ("Emergency department, with the paediatric liaison nurse",),
    "ambulance": ("At home, after an ambulance call-out",),
    "probation": ("Probation induction meeting",),
}
VOICE_SETTING_YOUNG = ("Home visit", "In school, with a trusted adult", "Family centre")
VOICE_SHARED = (
    "Told {name} who would see this and why.",
    "Shared with {name} and {his} family at the next visit, with {his} agreement to include it "
    "in the plan.",
    "Read back to {name} to check it was written down as said.",
    "Passed on to school with {name}'s agreement, to save {him} explaining again.",
    "Shared at the review meeting, in the order {name} chose.",
)
VOICE_VIEWS_INTERPRETER = "The family asked for an interpreter next time."
VOICE_VIEWS = (
    "{name} said it was written right.",
    "Mum agreed and asked for meetings after school.",
    "{name} wanted the part about {his} dad left out of the school copy.",
    "{name} said it was good someone wrote it down.",
)

# -- plans ---------------------------------------------------------------------------------------

# Who owns an action: "csc", "police", "school", "yjs", "health" or "vcse".
PLAN_OUTCOMES: dict[str, tuple[str, ...]] = {
    "risk_outside_the_home": (
        "{name} feels safe going to and from school and around the town centre.",
        "The adults who harmed {name} are identified and stopped from contacting {him}.",
        "{name} has a trusted adult to call whenever things feel unsafe.",
        "{name} is back in education that suits {him}, with a safe way to get there.",
        "{name}'s family feel confident to spot signs of exploitation and know who to call.",
        "{name} has a safe place to spend evenings and weekends.",
    ),
    "child_in_need": (
        "{name} is in school every day, with support that meets {his} needs.",
        "{name}'s family has the help they asked for with housing and money worries.",
        "{name}'s long wait for an assessment ends, and the results are shared with {him}.",
        "{name} has someone to talk to about {his} feelings.",
    ),
    "child_protection": (
        "{name} is safe at home and nobody hurts {him}.",
        "{name}'s mum is supported to stay safe from the person who harmed the family.",
        "{name} can tell an adult at school when things are not OK, and they act on it.",
        "The adults at home get help with the things that made home unsafe.",
    ),
    "early_help": (
        "{name} settles back into school, with support for {his} reading.",
        "{name}'s family get help with routines, sleep and money.",
        "{name} joins a club or activity of {his} choosing.",
    ),
    "youth_justice": (
        "{name} completes the order with support that fits {his} way of learning.",
        "{name} is in education, training or work of {his} choosing.",
        "{name} is safe from the adults who exploited {him}.",
        "{name} has help with speech and language at every appointment.",
    ),
}
PARENTS_AS_PARTNERS = (
    "{name}'s family are partners in this plan, not the cause of the harm. They share what "
    "they see and hear, and the team shares what it knows with them.",
    "Mum is working with us as a partner: she has the direct number for the police contact "
    "and is told within a day about any sighting of the adults of concern.",
    "The family are supported, not judged: a weekly check-in with the family worker and a "
    "parents' group on exploitation.",
    "The family asked for help to move away from the area; the plan includes a housing "
    "transfer request with their agreement.",
    "We agreed with the family that they will not be asked to keep {name} safe on their own; "
    "the plan puts the responsibility on the adults who caused the harm.",
)
PLAN_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "risk_outside_the_home": (
        (
            "police",
            "Disrupt the adults targeting {name} near the park: patrols and, where the "
            "law allows, child abduction warning notices.",
        ),
        (
            "csc",
            "Map with {name} the places that feel unsafe to {him}, and share the map with police "
            "and community safety.",
        ),
        ("school", "Agree a safe route to school and a named adult to meet {name} at the gate."),
        ("vcse", "Match {name} with a mentor of {his} choosing, meeting weekly at the youth hub."),
        ("csc", "Support the family with a housing transfer request, with their agreement."),
        (
            "csc",
            "Return home conversation within 72 hours of any time {name} is missing, with "
            "a worker familiar to {him}.",
        ),
        ("health", "Sexual health and wellbeing appointment somewhere {name} is comfortable."),
        ("csc", "Contextual safeguarding assessment of the high street and the bus station."),
        (
            "police",
            "National Referral Mechanism referral for {name} as a child who has been exploited.",
        ),
    ),
    "child_in_need": (
        ("csc", "Visit {name} at home every two weeks and see {him} on {his} own."),
        (
            "health",
            "Chase the neurodevelopmental assessment and tell the family how long the wait is.",
        ),
        ("school", "Apply for an education, health and care needs assessment."),
        ("csc", "Refer the family to the welfare rights service for help with debts."),
        ("vcse", "Youth club place on Tuesday evenings."),
        ("school", "Daily check-in with a trusted adult at school."),
    ),
    "child_protection": (
        ("csc", "See {name} alone at every visit, at least every ten working days."),
        ("csc", "Safety plan with {name}'s mum, agreed and written with her."),
        (
            "police",
            "Share any domestic abuse call-out to the address with social care by 9am "
            "the next day.",
        ),
        ("health", "Health assessment and follow-up with the school nurse."),
        ("school", "Tell the social worker the same day if {name} is absent without a reason."),
        ("csc", "Core group meeting every six weeks."),
    ),
    "early_help": (
        ("school", "Reading support three times a week."),
        ("csc", "Family support worker to help with morning routines."),
        ("vcse", "After-school club place that {name} chooses."),
        ("health", "School nurse drop-in about sleep."),
    ),
    "youth_justice": (
        (
            "yjs",
            "Speech and language screening before the next appointment, and sessions "
            "planned around the results.",
        ),
        ("yjs", "Reparation project {name} chooses: the community garden or the bike workshop."),
        ("yjs", "Support {name} to start a college taster course."),
        (
            "yjs",
            "Appointments at the youth hub rather than the youth justice office, where "
            "{name} feels safer.",
        ),
        ("health", "CAMHS liaison worker to meet {name} at youth justice."),
        ("school", "Education worker to agree a full-time timetable with school."),
        (
            "police",
            "Share information about the adults exploiting {name} with the exploitation panel.",
        ),
    ),
}
CHILD_CHOSEN_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    TEEN: (
        ("vcse", "Get {name} back into boxing: the youth hub to arrange and pay for sessions."),
        ("csc", "Meetings at the youth hub, not the office, as {name} asked."),
        (
            "school",
            "Change {name}'s route between lessons, away from the corridor where the threats "
            "happened.",
        ),
        (
            "csc",
            "One worker for {name}, not five: the lead practitioner coordinates everyone else.",
        ),
        (
            "csc",
            "Help {name} get a bus pass, so getting about does not depend on lifts from anyone.",
        ),
        ("vcse", "A music production course at the youth hub, which {name} chose."),
        ("school", "Let {name} leave lessons five minutes early to avoid the crowds at the gate."),
    ),
    YOUNG: (
        ("school", "A quiet space at lunchtime, which {name} asked for."),
        ("vcse", "Football club on Saturdays, which {name} chose."),
        ("csc", "Visits after school, not during lessons, as {name} asked."),
    ),
}
REVIEW_SUMMARIES = (
    "Progress on the safe route to school; attendance is up. Police disruption is continuing.",
    "Most actions done. The assessment is still waiting; escalated to the service manager.",
    "{name} gets on well with {his} mentor. The housing transfer is still not decided.",
    "No new incidents since the last review. The plan continues with fewer visits.",
    "Two actions are overdue because the school placement changed; new dates agreed.",
    "The family say things are calmer at home. The core group continues.",
)
REVIEW_CHILD_VIEWS = (
    "It's better now I've got the bus pass.",
    "I still don't like going past the park.",
    "I like my mentor. Can I keep the same one?",
    "I don't need as many meetings now.",
    "School's alright now I'm in the other group.",
    "I want the plan to finish so I can just be normal.",
    "I'm still waiting for the assessment. It's been ages.",
)

# -- formulation ---------------------------------------------------------------------------------

FORMULATION_EARLY = (
    "{name} grew up with domestic abuse at home until {his} mum was able to leave.",
    "{name} lost {his} grandad, {his} closest adult, while still at primary school.",
    "{name} has moved home and school many times.",
    "{name} experienced racism at school and in the community, and did not feel believed after "
    "reporting it.",
    "{name} was bullied at primary school for {his} speech.",
    "{name}'s family lived in temporary accommodation for two years.",
)
FORMULATION_HARM = (
    "Adults used {name}'s need for belonging and money to exploit {him}, first with gifts and "
    "then with threats and a made-up debt.",
    "{name} was robbed at knifepoint and has felt unsafe in the town centre since.",
    "{name} was groomed online by an adult pretending to be a teenager.",
    "{name} was excluded from school, which took away the adults and routine that kept {him} safe.",
    "{name}'s friend was seriously hurt in the summer.",
)
FORMULATION_MEANING = (
    "{name}'s anger in class is best understood as fear: experience has taught {him} that "
    "adults do not always keep {him} safe.",
    "What looks like not wanting help is {name} protecting {himself} from adults who have let "
    "{him} down before.",
    "Because of unmet speech and language needs, {name} often agrees without understanding, "
    "which has been mistaken for not caring.",
    "{name}'s silence in meetings is a response to trauma, not defiance.",
)
FORMULATION_HELPS = (
    "{name} needs a small number of consistent adults who stay, and a school place that fits.",
    "The shared plan is to build safety with {name}, not around {him}: one trusted worker, a "
    "safe route, and disruption of the adults who caused harm.",
    "Everyone agreed to use the same words with {name} and to stop asking {him} to retell "
    "what happened.",
)
CLINICAL_PSYCHOLOGIST = "Dr {first} {last}, clinical psychologist, {agency}"

# -- transition to adult services ----------------------------------------------------------------

TRANSITION_ADULT_SERVICES = (
    "The adult social care transitions worker attends reviews from now; a Care Act "
    "assessment is to be completed before {his} 18th birthday.",
    "Adult social care say {name} does not meet the threshold for a Care Act assessment; the "
    "plan asks for a transitional safeguarding meeting instead.",
    "Referred to the young adults' service, which works with people up to 25.",
)
TRANSITION_PROBATION = (
    "Youth justice to probation transfer meeting booked; {his} youth justice officer stays "
    "involved for three months after 18.",
    "The order ends before {his} 18th birthday, so no transfer to probation is needed.",
)
TRANSITION_HOUSING = (
    "Staying at home with family; a housing options appointment is booked in case that changes.",
    "On the council's young people's housing pathway; a supported accommodation place has "
    "been identified.",
    "Needs to move away from the area to be safe; a housing transfer request has been made "
    "with the family.",
)
TRANSITION_HEALTH = (
    "Moving from CAMHS to adult mental health services; the GP knows and a joint appointment "
    "is booked.",
    "No health needs identified; registered with a GP in {his} own name.",
    "Neurodevelopmental assessment still waiting: the adult service has agreed to keep {his} "
    "place in the queue.",
)
