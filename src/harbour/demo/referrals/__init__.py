"""The front door's year in the synthetic partnership: referrals from police, schools, the
emergency department, the ambulance service, youth justice and the voluntary sector, a third of
them arriving from automated feeds, rated, decided, countersigned and fed back; and the front
door's queue on the reference date, with referrals waiting to be rated, decided or
countersigned, some late, one escalated by the demo police referrer; the strategy meetings the
decisions for a section 47 enquiry or the risk outside the home pathway called (some late, some
out of hours, a few without police or health, one or two still to come); and a round of the
multi-agency audit of referrals, scored and partly fed back.

Shaped by what the inspection found: police referrals, and above all the automated ones, often
leave out the child's own words, their ethnicity and the reason for the referral; schools'
referrals are more complete; most referrals are about harm outside the home.

About one referral a year for every eight children. Completeness is scored, and the clock set,
by the partnership's own rules (``CompletenessRule``, ``ServiceLevel``) as the front door's
services do; the messages and the references are the front door's own (``frontdoor.messages``).
Referrals made on the form always meet the rules' required items (the form refuses to send them
otherwise); automated ones arrive as they are, and those missing something have a task back to
their source.

The phase draws every choice from its own ``random.Random`` and Faker, seeded from the
generation's seed (``year.Year``), and runs after the others, so they make the same data as
before it existed. The children the partnership phase marks as referred lately
(``_Child.open_referral``) are referred here: some referrals still open, the others closed in
the weeks before. Their working relationships with the front door (current, or ended with the
referral) are written here and planned before anything that depends on the record phase's
staff, so the record phase cannot change them.

By what each module makes:

- ``origins``: who refers, and how completely each kind of referrer answers;
- ``who``: which child each referral is about, and which member of staff referred;
- ``timing``: how many referrals, in which state, and when each step happened;
- ``answers``: the referral itself, as its referrer wrote it, scored and on its clock;
- ``decisions``: the front door's decisions, countersigned or returned, and the managers told;
- ``feedback``: the outcome told to the referrer, and escalations;
- ``tasks``: tasks back to source agencies, and the front door's working relationships;
- ``meetings``: the strategy meetings the decisions called;
- ``audit``: a round of the multi-agency audit of referrals;
- ``phase``: the run, in order (``ReferralPhase``)."""
