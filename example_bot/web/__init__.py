"""The example bank's web page: a sign-in at the example identity provider and a chat page.

:class:`~example_bot.web.page.ExampleWebPage` serves it from the Rasa server at ``/web/``
(``credentials.yml`` lists it); the page talks to the bot over ``SecureSocketIOInput``.
"""
