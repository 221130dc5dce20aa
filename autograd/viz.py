"""Drawing computational graphs (placeholder; replaced by the drawing module)."""


def draw(t, **kwargs):
    raise NotImplementedError("viz.draw is being written")
