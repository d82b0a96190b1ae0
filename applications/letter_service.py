"""Letter generation (R26-R28). The letters issue implements rendering; until then a letter stays
``pending`` so that nothing pretends a PDF exists."""


def letter_generate(*, letter_id: int) -> None:
    raise NotImplementedError("Letter rendering is implemented by the letters issue (#5).")
