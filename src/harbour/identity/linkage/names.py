"""Given names that mean the same person: nicknames and spelling variants, mapped to one
canonical form.

The table is deliberately small and conservative: a pair of names only shares a canonical form
when a practitioner would read them as the same name (`bill` and `william`), never when they are
merely similar strings (`dan` and `dean`), which Jaro-Winkler already covers. `first_name_canonical`
is `CANONICAL_GIVEN_NAMES.get(name, name)`; a name not in the table is its own canonical form.
"""

from __future__ import annotations

# canonical form -> the other forms that mean the same given name
_GROUPS: dict[str, tuple[str, ...]] = {
    "abdullah": ("abdul",),
    "abdirahman": ("abdi",),
    "abigail": ("abbie", "abby", "abi"),
    "alexander": ("alex", "xander", "sandy", "alec", "alexandra", "alexa", "lexi"),
    "alfred": ("alfie", "alf"),
    "andrew": ("andy", "drew"),
    "anthony": ("tony", "ant"),
    "archibald": ("archie",),
    "benjamin": ("ben", "benji", "benny"),
    "bradley": ("brad",),
    "callum": ("cal", "calum"),
    "catherine": ("cathy", "kate", "katie", "kat", "katherine", "kathryn", "cath", "kitty"),
    "charles": ("charlie", "chas", "chuck"),
    "charlotte": ("lottie", "charley"),
    "christopher": ("chris", "kit"),
    "christina": ("christine", "tina", "chrissie"),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davey", "davy"),
    "deborah": ("debbie", "debra", "deb"),
    "dominic": ("dom",),
    "edward": ("ed", "eddie", "ted", "teddy", "ned"),
    "eleanor": ("ellie", "nell", "nellie", "elle"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "eliza", "libby", "elisabeth", "bess"),
    "emily": ("em", "emmy"),
    "emmanuel": ("manny",),
    "frederick": ("freddie", "fred", "freddy"),
    "gabriel": ("gabe",),
    "gabriella": ("gabby", "gabi", "gabrielle"),
    "george": ("georgie",),
    "harrison": ("harry",),
    "henry": ("hal", "hank"),
    "ibrahim": ("ibby", "ibi"),
    "isabella": ("bella", "izzy", "isabel", "isobel", "issy", "isabelle"),
    "jacob": ("jake", "jakey"),
    "james": ("jamie", "jim", "jimmy", "jimmie"),
    "jayden": ("jay", "jaden", "jaiden"),
    "jennifer": ("jen", "jenny", "jenni"),
    "jermaine": ("jerm",),
    "jessica": ("jess", "jessie"),
    "jonathan": ("jon", "jonny", "johnny"),
    "joseph": ("joe", "joey", "jo"),
    "joshua": ("josh",),
    "kieran": ("kiz", "kieron", "ciaran"),
    "lawrence": ("laurence", "larry", "laurie"),
    "leonardo": ("leo",),
    "louis": ("lou",),
    "margaret": ("maggie", "meg", "peggy", "marge", "megan"),
    "matthew": ("matt", "matty"),
    "maximilian": ("max", "maxwell"),
    "michael": ("mike", "mikey", "mick", "mickey", "micky"),
    "muhammad": ("mohammed", "mohammad", "mohamed", "muhammed", "mo", "moe", "mohamad"),
    "nathan": ("nate", "nat", "nathaniel"),
    "nicholas": ("nick", "nicky", "nico"),
    "oliver": ("ollie", "olly"),
    "olivia": ("liv", "livvy", "livia"),
    "oluwatobi": ("tobi",),
    "patrick": ("pat", "paddy"),
    "peter": ("pete",),
    "rebecca": ("becky", "becca", "bex"),
    "richard": ("rich", "richie", "rick", "ricky", "dick"),
    "robert": ("rob", "robbie", "bob", "bobby", "bert"),
    "samuel": ("sam", "sammy"),
    "samantha": ("sammie", "sammi"),
    "sophia": ("sophie", "soph"),
    "stephen": ("steve", "steven", "stevie"),
    "susan": ("sue", "susie", "suzanne"),
    "theodore": ("theo", "ted"),
    "thomas": ("tom", "tommy"),
    "timothy": ("tim", "timmy"),
    "tomiwa": ("tomi",),
    "tyrese": ("ty",),
    "victoria": ("vicky", "vikki", "tori"),
    "william": ("will", "billy", "bill", "liam", "willy", "willie"),
    "yusuf": ("yousef", "youssef", "yosef"),
    "zachary": ("zach", "zack", "zak", "zakariya", "zakaria", "zac"),
}


def _canonical_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, others in _GROUPS.items():
        for other in others:
            # The first group to name a form keeps it (`ted` is Edward before Theodore).
            table.setdefault(other, canonical)
    return table


CANONICAL_GIVEN_NAMES: dict[str, str] = _canonical_table()

# Nicknames a synthetic record may use instead of a given name: canonical -> its short forms.
NICKNAMES: dict[str, tuple[str, ...]] = {
    canonical: tuple(o for o in others if CANONICAL_GIVEN_NAMES[o] == canonical)
    for canonical, others in _GROUPS.items()
}

# Names that record the absence of a name; they are treated as missing.
PLACEHOLDER_NAMES = frozenset(
    {
        "unknown",
        "not known",
        "nk",
        "n k",
        "unk",
        "x",
        "xx",
        "xxx",
        "baby",
        "baby boy",
        "baby girl",
        "infant",
        "child",
        "boy",
        "girl",
        "male",
        "female",
        "unborn",
        "anon",
        "anonymous",
        "none",
        "null",
        "na",
        "n a",
        "test",
        "refused",
        "not given",
        "no name",
        "withheld",
    }
)
