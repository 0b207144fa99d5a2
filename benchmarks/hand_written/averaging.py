"""The moving average of the hand-written steps' EMA copies, shared by the
JAX and PyTorch loops: a module of its own, so that they need not import
steps.py, which chooses between them."""

from keras import ops


def blend(mine, theirs, trainable, decay):
    """One variable of a moving average: trainable weights move towards the
    source's, the others (BatchNorm statistics) are copied, as ganzoo does."""
    theirs = ops.cast(theirs, mine.dtype)
    return decay * mine + (1.0 - decay) * theirs if trainable else theirs
