def language(request) -> dict:
    """The signed-in user's stored language choice ("" = the browser's), for the chooser."""
    return {"language_choice": getattr(request, "language_choice", "")}
