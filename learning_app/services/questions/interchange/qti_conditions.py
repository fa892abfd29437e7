"""An item's QTI 1.2 response processing, read for what grading here needs: which
`respcondition`s give a positive SCORE (Set, Add or Subtract, summed), which tests in them are
not negated by an enclosing `<not>`, and which feedback a condition on one choice alone shows.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element


class Conditions:
    """An item's response conditions: which set a positive score, and what each displays."""

    def __init__(self, item: Element) -> None:
        self.conditions = [
            c for r in item.findall("resprocessing") for c in r.findall("respcondition")
        ]

    @staticmethod
    def score(condition: Element) -> float:
        total = 0.0
        for setvar in condition.findall("setvar"):
            if (setvar.get("varname") or "SCORE").upper() != "SCORE":
                continue
            try:
                value = float((setvar.text or "").strip())
            except ValueError:
                continue
            action = (setvar.get("action") or "Set").lower()
            total += -value if action == "subtract" else value
        return total

    @staticmethod
    def positive(condition: Element) -> list[Element]:
        """The tests in a condition that are not negated by an enclosing `<not>`."""
        test = condition.find("conditionvar")
        if test is None:
            return []
        negated = {id(e) for n in test.iter("not") for e in n.iter()}
        return [e for e in test.iter() if e.tag.startswith("var") and id(e) not in negated]

    def correct_conditions(self) -> list[Element]:
        return [c for c in self.conditions if self.score(c) > 0]

    def correct_values(self) -> list[Element]:
        return [
            v
            for c in self.correct_conditions()
            for v in self.positive(c)
            if v.tag == "varequal" and (v.text or "").strip()
        ]

    def feedback_by_choice(self) -> dict[str, list[str]]:
        """Feedback a condition testing one choice alone displays, by that choice."""
        linked: dict[str, list[str]] = {}
        for condition in self.conditions:
            tests = self.positive(condition)
            test = condition.find("conditionvar")
            if len(tests) != 1 or tests[0].tag != "varequal" or test is None:
                continue
            if any(e.tag in ("not", "and", "or") for e in test.iter()):
                continue
            refs = [d.get("linkrefid") for d in condition.findall("displayfeedback")]
            choice = (tests[0].text or "").strip()
            linked.setdefault(choice, []).extend(r for r in refs if r)
        return linked
