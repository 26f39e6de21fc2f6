"""The one exception an action raises to say no to the person who asked."""


class ActionRefused(Exception):
    """The action cannot be done; `message` says why, in words for the person who asked.

    Nothing was written when it is raised: the action's transaction rolls back.
    """

    def __init__(self, message):
        super().__init__(message)
        self.message = message
