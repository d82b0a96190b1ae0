# The letter fixtures (an employer, period 3, ``make_decision`` and ``make_letter``) are shared with tests/letters.
from tests.letters.conftest import employer, make_decision, make_letter, period  # noqa: F401
