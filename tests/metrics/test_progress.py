"""`ganzoo evaluate` says how long the Inception features will take before the
long part, then shows a progress bar (issue 20, item 11); nothing when quiet."""

from ganzoo.metrics.features import ExtractionProgress, format_duration


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _run(total, batch, seconds_per_batch, first_batch_seconds=30.0, verbose=True):
    clock, lines = Clock(), []
    progress = ExtractionProgress(total, verbose=verbose, echo=lines.append, clock=clock)
    done = 0
    while done < total:
        clock.now += first_batch_seconds if not done else seconds_per_batch
        step = min(batch, total - done)
        progress.add(step)
        done += step
    progress.close()
    return progress, lines


def test_the_expected_time_comes_from_the_measured_rate_not_the_first_batch(capsys):
    progress, lines = _run(50_000, 50, 4.5)  # ~11 images/s, the first batch slow (graph building)
    assert lines == ["about 75 min for 50,000 images at ~11.1 images/s (measured on this machine)"]
    assert progress.rate == 50 / 4.5
    out = capsys.readouterr().out
    assert "50000/50000" in out  # the Progbar, with its estimate while running


def test_quiet_prints_nothing(capsys):
    progress, lines = _run(5_000, 50, 1.0, verbose=False)
    assert lines == [] and capsys.readouterr().out == ""
    assert progress.done == 5_000


def test_a_short_extraction_still_ends_with_a_bar(capsys):
    _, lines = _run(60, 50, 1.0)
    assert lines == []
    assert "60/60" in capsys.readouterr().out


def test_durations():
    assert format_duration(12) == "about 12 s"
    assert format_duration(4500) == "about 75 min"
    assert format_duration(3 * 3600 + 300) == "about 3 h 5 min"
