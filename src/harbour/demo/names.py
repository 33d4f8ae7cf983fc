"""Name pools, nicknames and languages for the synthetic children.

Faker's en_GB names are almost all Anglo and skew old, so children's names are drawn from small
built-in pools of names common among children of each background in English cities. Only the
combinations are generated: every child is invented."""

from __future__ import annotations

from dataclasses import dataclass

from harbour.children.codes import Ethnicity


@dataclass(frozen=True)
class NamePool:
    boys: tuple[str, ...]
    girls: tuple[str, ...]
    family: tuple[str, ...]


def _t(names: str) -> tuple[str, ...]:
    return tuple(names.split(","))


# "faker" in a mix below means Faker's own en_GB names.
FAKER = "faker"

POOLS: dict[str, NamePool] = {
    "british": NamePool(
        boys=_t(
            "Oliver,George,Harry,Noah,Jack,Leo,Arthur,Oscar,Charlie,Jacob,Thomas,Freddie,Alfie,"
            "Theo,William,James,Joshua,Alexander,Daniel,Samuel,Benjamin,Joseph,Jayden,Mason,"
            "Kai,Tyler,Riley,Callum,Lewis,Connor,Ethan,Dylan,Nathan,Kieran,Liam,Harrison,Reece,"
            "Bradley,Matthew,Christopher,Michael,Luke,Jake,Owen"
        ),
        girls=_t(
            "Olivia,Amelia,Isla,Ava,Lily,Freya,Mia,Grace,Sophia,Ella,Poppy,Evie,Ivy,Emily,"
            "Isabella,Charlotte,Jessica,Chloe,Ruby,Millie,Phoebe,Holly,Megan,Lauren,Katie,"
            "Amber,Bethany,Courtney,Jasmine,Leah,Paige,Rebecca,Elizabeth,Abigail,Summer,Skye,"
            "Niamh,Demi,Kayla,Elsie"
        ),
        family=(),  # Faker's en_GB surnames
    ),
    "irish": NamePool(
        boys=_t("Ciaran,Conor,Sean,Cian,Oisin,Darragh,Padraig,Ronan,Eoin,Liam,Cillian,Finn"),
        girls=_t("Aoife,Niamh,Siobhan,Ciara,Saoirse,Orla,Roisin,Caoimhe,Aisling,Grainne"),
        family=_t(
            "Murphy,Kelly,O'Brien,Byrne,Ryan,O'Sullivan,Walsh,McCarthy,Doyle,Gallagher,"
            "O'Connor,Kennedy,Lynch,Quinn,Brennan"
        ),
    ),
    "traveller": NamePool(
        boys=_t("John,Patrick,Michael,Tommy,Johnny,Jimmy,Levi,Frankie,Tyson,Billy,Joe,Henry"),
        girls=_t("Mary,Bridget,Margaret,Kathleen,Shannon,Ellie,Josie,Tiffany,Cheyenne,Rose"),
        family=_t(
            "Smith,Lee,Price,Doherty,McDonagh,Ward,Connors,Boswell,Lovell,Joyce,Stokes,Maughan"
        ),
    ),
    "roma": NamePool(
        boys=_t("Marek,Roman,Dominik,Tomas,Patrik,Lukas,Denis,Adrian,Florin,Ionut,David,Erik"),
        girls=_t("Denisa,Adriana,Nikola,Kristina,Veronika,Lenka,Andreea,Bianca,Sabina,Ramona"),
        family=_t(
            "Horvath,Kovac,Lakatos,Balog,Dudas,Stoica,Oláh,Sarközi,Lacatus,Gabor,Rostas,Kalanyos"
        ),
    ),
    "east_european": NamePool(
        boys=_t(
            "Jakub,Kacper,Szymon,Filip,Mateusz,Andrei,Alexandru,Stefan,Tiago,Rodrigo,Lukas,"
            "Matas,Nikolai,Ivan,Dawid,Oskar"
        ),
        girls=_t(
            "Zuzanna,Wiktoria,Julia,Lena,Maja,Ioana,Maria,Elena,Beatriz,Ines,Gabija,Emilija,"
            "Natalia,Alicja,Daria,Sofia"
        ),
        family=_t(
            "Nowak,Wójcik,Kowalczyk,Mazur,Krawczyk,Popescu,Ionescu,Silva,Santos,Ferreira,"
            "Kazlauskas,Petrov,Dimitrov,Kaminski,Lewandowski,Pereira"
        ),
    ),
    "bangladeshi": NamePool(
        boys=_t(
            "Mohammed,Abdul,Rahim,Tanvir,Rayan,Ayaan,Ibrahim,Yusuf,Sami,Arif,Imran,Zakaria,"
            "Rafi,Adam,Hamza"
        ),
        girls=_t(
            "Fatima,Ayesha,Sumaiya,Tasnim,Nusrat,Maryam,Sadia,Hafsa,Jannat,Raisa,Nadia,Anisa,"
            "Tahmina,Safa"
        ),
        family=_t("Rahman,Ahmed,Hussain,Miah,Uddin,Islam,Ali,Chowdhury,Hoque,Begum,Khan,Alam"),
    ),
    "chinese": NamePool(
        boys=_t("Wei,Jun,Hao,Yu,Ming,Jason,Kevin,Ryan,Ethan,Chun,Kai,Zhi"),
        girls=_t("Mei,Xin,Jia,Lin,Grace,Chloe,Jenny,Yan,Hui,Ying,Amy,Lok"),
        family=_t("Chen,Wang,Li,Zhang,Liu,Wong,Cheung,Lam,Ng,Ho,Chan,Yang"),
    ),
    "indian": NamePool(
        boys=_t(
            "Arjun,Rohan,Aarav,Dev,Krish,Vihaan,Harpreet,Gurpreet,Jaskaran,Rahul,Nikhil,"
            "Amrit,Sanjay,Ishaan,Aryan"
        ),
        girls=_t(
            "Priya,Anika,Simran,Diya,Riya,Kiran,Navdeep,Anaya,Jasleen,Pooja,Meera,Sana,Isha,Tara"
        ),
        family=_t("Patel,Singh,Sharma,Gill,Sandhu,Mistry,Shah,Kumar,Bains,Dhillon,Parmar,Joshi"),
    ),
    "pakistani": NamePool(
        boys=_t(
            "Muhammad,Mohammed,Ali,Hamza,Zain,Ayaan,Bilal,Ibrahim,Yusuf,Haris,Usman,Adnan,"
            "Rehan,Abdullah,Zakariya"
        ),
        girls=_t(
            "Aisha,Fatima,Zara,Maryam,Hafsa,Amina,Iqra,Khadija,Noor,Zainab,Hira,Aleena,Sana,"
            "Mahnoor,Eman"
        ),
        family=_t(
            "Khan,Hussain,Ahmed,Iqbal,Akhtar,Mahmood,Shah,Butt,Rashid,Aslam,Ali,Raza,Bashir,"
            "Javed,Malik"
        ),
    ),
    "asian_other": NamePool(
        boys=_t("Aran,Pratik,Ahmad,Sujan,Kajan,Bishal,Farhad,Mustafa,Nimal,Roshan,Sahil"),
        girls=_t("Tharshika,Anusha,Sita,Parwana,Kavya,Mariam,Sabina,Nilufar,Dilani,Asha"),
        family=_t(
            "Gurung,Rai,Thapa,Sivakumar,Rahimi,Ahmadi,Karimi,Tamang,Perera,Fernando,Nguyen,Tran"
        ),
    ),
    "african": NamePool(
        boys=_t(
            "David,Samuel,Emmanuel,Abdi,Mohamed,Kwame,Tobi,Daniel,Chidi,Joshua,Tomiwa,Kofi,"
            "Abdirahman,Elijah,Feyisayo"
        ),
        girls=_t(
            "Grace,Blessing,Amina,Hodan,Favour,Esther,Ifeoma,Ayan,Precious,Deborah,Sumaya,"
            "Adaeze,Comfort,Hibaq"
        ),
        family=_t(
            "Mohamed,Abdi,Hassan,Okafor,Adeyemi,Mensah,Osei,Ibrahim,Okonkwo,Tesfaye,Kamara,"
            "Adebayo,Warsame,Nwosu,Boateng"
        ),
    ),
    "caribbean": NamePool(
        boys=_t(
            "Jayden,Tyrese,Marcus,Kai,Jermaine,Isaiah,Malachi,Dwayne,Kemar,Andre,Jahmal,"
            "Reuben,Elijah,Zion"
        ),
        girls=_t(
            "Shanice,Kayla,Jada,Tia,Aaliyah,Leah,Keisha,Tanisha,Naomi,Amari,Destiny,Jade,Kiara"
        ),
        family=_t(
            "Campbell,Brown,Williams,Thomas,Reid,Clarke,Francis,Morgan,Grant,Thompson,"
            "Richards,Henry,Bailey,Stewart"
        ),
    ),
    "arab": NamePool(
        boys=_t("Omar,Yousef,Ahmed,Karim,Adam,Hamza,Khaled,Tariq,Mahmoud,Sami,Ziad"),
        girls=_t("Layla,Mariam,Salma,Nour,Yasmin,Rania,Lina,Huda,Dana,Reem,Jana"),
        family=_t("Al-Sayed,Haddad,Mansour,Nasser,Saleh,Khalil,Hamdan,Darwish,Aziz,Jaber"),
    ),
    "other": NamePool(
        boys=_t("Arman,Dariush,Emre,Mateo,Carlos,Rezan,Kerem,Diego,Jose,Miguel,Karwan,Arash"),
        girls=_t("Shirin,Elif,Valentina,Sofia,Hana,Zeynep,Camila,Lucia,Nasrin,Ayla,Roza"),
        family=_t(
            "Rezaei,Hosseini,Yilmaz,Demir,Garcia,Rodriguez,Reyes,Kaya,Mohammadi,Gomez,Cruz,Aziz"
        ),
    ),
}


# Which pools a child's given and family names come from: (pool, weight) pairs. FAKER means
# Faker's en_GB names.
@dataclass(frozen=True)
class NameMix:
    given: tuple[tuple[str, float], ...]
    family: tuple[tuple[str, float], ...]


_BRITISH = NameMix(given=(("british", 0.65), (FAKER, 0.35)), family=((FAKER, 1.0),))

NAME_MIX: dict[str, NameMix] = {
    Ethnicity.WHITE_BRITISH: _BRITISH,
    Ethnicity.WHITE_IRISH: NameMix(
        given=(("irish", 0.6), ("british", 0.4)), family=(("irish", 0.8), (FAKER, 0.2))
    ),
    Ethnicity.WHITE_GYPSY_IRISH_TRAVELLER: NameMix(
        given=(("traveller", 0.8), ("british", 0.2)), family=(("traveller", 1.0),)
    ),
    Ethnicity.WHITE_ROMA: NameMix(given=(("roma", 1.0),), family=(("roma", 1.0),)),
    Ethnicity.WHITE_OTHER: NameMix(
        given=(("east_european", 0.75), ("british", 0.25)),
        family=(("east_european", 0.85), (FAKER, 0.15)),
    ),
    Ethnicity.MIXED_WHITE_ASIAN: NameMix(
        given=(("british", 0.5), ("indian", 0.2), ("pakistani", 0.2), ("chinese", 0.1)),
        family=((FAKER, 0.55), ("pakistani", 0.2), ("indian", 0.15), ("chinese", 0.1)),
    ),
    Ethnicity.MIXED_WHITE_BLACK_AFRICAN: NameMix(
        given=(("british", 0.55), ("african", 0.45)), family=((FAKER, 0.5), ("african", 0.5))
    ),
    Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN: NameMix(
        given=(("british", 0.5), ("caribbean", 0.5)), family=((FAKER, 0.5), ("caribbean", 0.5))
    ),
    Ethnicity.MIXED_OTHER: NameMix(
        given=(("british", 0.5), ("other", 0.25), ("arab", 0.1), ("east_european", 0.15)),
        family=((FAKER, 0.5), ("other", 0.3), ("arab", 0.1), ("east_european", 0.1)),
    ),
    Ethnicity.ASIAN_BANGLADESHI: NameMix(
        given=(("bangladeshi", 1.0),), family=(("bangladeshi", 1.0),)
    ),
    Ethnicity.ASIAN_CHINESE: NameMix(given=(("chinese", 1.0),), family=(("chinese", 1.0),)),
    Ethnicity.ASIAN_INDIAN: NameMix(given=(("indian", 1.0),), family=(("indian", 1.0),)),
    Ethnicity.ASIAN_PAKISTANI: NameMix(given=(("pakistani", 1.0),), family=(("pakistani", 1.0),)),
    Ethnicity.ASIAN_OTHER: NameMix(
        given=(("asian_other", 0.85), ("british", 0.15)), family=(("asian_other", 1.0),)
    ),
    Ethnicity.BLACK_AFRICAN: NameMix(
        given=(("african", 0.85), ("british", 0.15)), family=(("african", 1.0),)
    ),
    Ethnicity.BLACK_CARIBBEAN: NameMix(
        given=(("caribbean", 0.7), ("british", 0.3)), family=(("caribbean", 1.0),)
    ),
    Ethnicity.BLACK_OTHER: NameMix(
        given=(("caribbean", 0.4), ("african", 0.4), ("british", 0.2)),
        family=(("caribbean", 0.5), ("african", 0.5)),
    ),
    Ethnicity.OTHER_ARAB: NameMix(given=(("arab", 1.0),), family=(("arab", 1.0),)),
    Ethnicity.OTHER_ANY: NameMix(
        given=(("other", 0.8), ("british", 0.2)), family=(("other", 1.0),)
    ),
    Ethnicity.REFUSED: NameMix(
        given=(
            ("british", 0.5),
            (FAKER, 0.2),
            ("african", 0.1),
            ("pakistani", 0.1),
            ("other", 0.1),
        ),
        family=((FAKER, 0.7), ("african", 0.1), ("pakistani", 0.1), ("other", 0.1)),
    ),
    Ethnicity.NOT_KNOWN: NameMix(
        given=(
            ("british", 0.5),
            (FAKER, 0.2),
            ("east_european", 0.1),
            ("african", 0.1),
            ("pakistani", 0.1),
        ),
        family=((FAKER, 0.7), ("east_european", 0.1), ("african", 0.1), ("pakistani", 0.1)),
    ),
}

# Names children are known by. A source record may hold one of these instead of the given name.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Jayden": ("Jay",),
    "Mohammed": ("Mo", "Moe"),
    "Muhammad": ("Mo",),
    "Mohamed": ("Mo",),
    "Oliver": ("Ollie",),
    "Alexander": ("Alex", "Xander"),
    "Thomas": ("Tom", "Tommy"),
    "Tommy": ("Tom",),
    "Joshua": ("Josh",),
    "Benjamin": ("Ben",),
    "Samuel": ("Sam", "Sammy"),
    "Daniel": ("Dan", "Danny"),
    "Jacob": ("Jake",),
    "Joseph": ("Joe",),
    "James": ("Jamie", "Jim"),
    "William": ("Will", "Billy"),
    "Michael": ("Mikey", "Mike"),
    "Matthew": ("Matt",),
    "Christopher": ("Chris",),
    "Harrison": ("Harry",),
    "Frederick": ("Freddie",),
    "Theodore": ("Theo",),
    "Nathan": ("Nate",),
    "Callum": ("Cal",),
    "Bradley": ("Brad",),
    "Kieran": ("Kiz",),
    "Jermaine": ("Jerm",),
    "Tyrese": ("Ty",),
    "Malachi": ("Kai",),
    "Isaiah": ("Zay",),
    "Emmanuel": ("Manny",),
    "Ibrahim": ("Ibby", "Ibi"),
    "Abdullah": ("Abdul",),
    "Abdirahman": ("Abdi",),
    "Zakariya": ("Zak",),
    "Zakaria": ("Zak",),
    "Yousef": ("Yusuf", "Joe"),
    "Hamza": ("Hamz",),
    "Oluwatobi": ("Tobi",),
    "Tomiwa": ("Tomi",),
    "Feyisayo": ("Feyi",),
    "Jakub": ("Kuba",),
    "Alexandru": ("Alex",),
    "Aleksander": ("Alek",),
    "Olivia": ("Liv", "Livvy"),
    "Isabella": ("Izzy", "Bella"),
    "Charlotte": ("Charlie", "Lottie"),
    "Elizabeth": ("Lizzie", "Beth"),
    "Jessica": ("Jess",),
    "Rebecca": ("Becky", "Becca"),
    "Abigail": ("Abbie",),
    "Bethany": ("Beth",),
    "Amelia": ("Millie",),
    "Natalia": ("Nati",),
    "Aaliyah": ("Liyah",),
    "Zainab": ("Zee",),
    "Khadija": ("Dija",),
    "Mahnoor": ("Noor",),
    "Kayla": ("Kay",),
    "Shanice": ("Shan",),
    "Katie": ("Kate",),
    "Victoria": ("Tori",),
    "Samantha": ("Sam",),
    "Jennifer": ("Jen",),
    "Katherine": ("Kate", "Katie"),
}

# First languages: (language, weight) by ethnicity. Anything not listed speaks English.
LANGUAGES: dict[str, tuple[tuple[str, float], ...]] = {
    Ethnicity.WHITE_ROMA: (("Romanian", 0.4), ("Romany", 0.2), ("Slovak", 0.2), ("English", 0.2)),
    Ethnicity.WHITE_OTHER: (
        ("Polish", 0.3),
        ("Romanian", 0.15),
        ("Portuguese", 0.1),
        ("Lithuanian", 0.05),
        ("Bulgarian", 0.05),
        ("English", 0.35),
    ),
    Ethnicity.ASIAN_BANGLADESHI: (("Bengali", 0.35), ("Sylheti", 0.15), ("English", 0.5)),
    Ethnicity.ASIAN_CHINESE: (("Cantonese", 0.2), ("Mandarin", 0.25), ("English", 0.55)),
    Ethnicity.ASIAN_INDIAN: (
        ("Gujarati", 0.15),
        ("Punjabi", 0.15),
        ("Tamil", 0.05),
        ("Hindi", 0.05),
        ("English", 0.6),
    ),
    Ethnicity.ASIAN_PAKISTANI: (
        ("Urdu", 0.3),
        ("Punjabi", 0.15),
        ("Pashto", 0.05),
        ("English", 0.5),
    ),
    Ethnicity.ASIAN_OTHER: (
        ("Tamil", 0.15),
        ("Nepali", 0.1),
        ("Pashto", 0.1),
        ("Dari", 0.1),
        ("English", 0.55),
    ),
    Ethnicity.BLACK_AFRICAN: (
        ("Somali", 0.2),
        ("Yoruba", 0.05),
        ("Tigrinya", 0.05),
        ("French", 0.05),
        ("Arabic", 0.05),
        ("English", 0.6),
    ),
    Ethnicity.BLACK_OTHER: (("French", 0.1), ("English", 0.9)),
    Ethnicity.OTHER_ARAB: (("Arabic", 0.6), ("English", 0.4)),
    Ethnicity.OTHER_ANY: (
        ("Kurdish", 0.15),
        ("Farsi", 0.15),
        ("Portuguese", 0.1),
        ("Turkish", 0.1),
        ("Spanish", 0.1),
        ("English", 0.4),
    ),
    Ethnicity.MIXED_OTHER: (("English", 0.9), ("Spanish", 0.05), ("Arabic", 0.05)),
    Ethnicity.REFUSED: (("English", 0.8), ("", 0.2)),
    Ethnicity.NOT_KNOWN: (("English", 0.75), ("", 0.25)),
}

# ONS 2021: an urban English area's under-18s, roughly. Normalised where it is used.
ETHNICITY_WEIGHTS: tuple[tuple[str, float], ...] = (
    (Ethnicity.WHITE_BRITISH, 48.0),
    (Ethnicity.WHITE_IRISH, 0.5),
    (Ethnicity.WHITE_GYPSY_IRISH_TRAVELLER, 0.3),
    (Ethnicity.WHITE_ROMA, 0.4),
    (Ethnicity.WHITE_OTHER, 5.0),
    (Ethnicity.MIXED_WHITE_ASIAN, 2.0),
    (Ethnicity.MIXED_WHITE_BLACK_AFRICAN, 1.5),
    (Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN, 3.0),
    (Ethnicity.MIXED_OTHER, 2.0),
    (Ethnicity.ASIAN_BANGLADESHI, 3.0),
    (Ethnicity.ASIAN_CHINESE, 1.0),
    (Ethnicity.ASIAN_INDIAN, 5.0),
    (Ethnicity.ASIAN_PAKISTANI, 9.0),
    (Ethnicity.ASIAN_OTHER, 2.0),
    (Ethnicity.BLACK_AFRICAN, 6.0),
    (Ethnicity.BLACK_CARIBBEAN, 2.0),
    (Ethnicity.BLACK_OTHER, 1.5),
    (Ethnicity.OTHER_ARAB, 1.5),
    (Ethnicity.OTHER_ANY, 2.0),
    (Ethnicity.REFUSED, 1.0),
    (Ethnicity.NOT_KNOWN, 3.3),
)

GENDER_SELF_DESCRIPTIONS = ("Non-binary", "Trans boy", "Trans girl", "Questioning", "Genderfluid")
