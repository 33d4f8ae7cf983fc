"""Reacting when agencies' events and needs arrive, and telling the team around the child
(issue 11, part 4; ADR 0028)."""
