"""The rules of where and when a message goes: the Routes page and "Where would this number go?",
a country's route, send window and footer, and the rules a commercial message meets (compliance).

Which connectors carry a number, in which order, is connectors.routing's; this package adds the
rules that belong to messages (quiet hours, opt-outs at dispatch, footers).
"""
