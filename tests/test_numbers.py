"""Reading a number: digits found by where they lie, in drawings and pictures,
each read through the single-digit path; the worker's and the CLI's answers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from build.handwriting import PRINTED
from build.number_sets import compose, pen_picture, scan_picture
from pynet.input.digit_groups import group_pieces
from pynet.input.number_drawing import FoundDigit, digit_strokes, drawing_digits, single_digit
from pynet.input.number_picture import picture_digits, picture_number
from pynet.input.preprocess import preprocess_image
from pynet.input.strokes import check_strokes


def placed(name: str, x: float, y: float = 60.0, size: float = 150.0) -> list[np.ndarray]:
    """A printed digit's strokes in a ``size`` box at (x, y) of the canvas."""
    return [np.asarray(s, dtype=np.float64) * size + np.array([x, y]) for s in PRINTED[name][1]]


def test_digits_are_grouped_by_place_not_by_time():
    four, one, zero, seven = placed("4 open", 20), placed("1 stick", 200), placed("0 oval", 330), placed("7 crossed", 500)
    strokes = seven + four[1:] + zero + four[:1] + one  # the 4's two strokes apart in time, the 7 first
    groups = digit_strokes(check_strokes(strokes), 700.0, 280.0)
    assert [len(g) for g in groups] == [2, 1, 1, 2]  # 4 and 7 in two strokes each; a 1 beside a 0 stays two
    lefts = [min(float(s[:, 0].min()) for s in g) for g in groups]
    assert lefts == sorted(lefts)


def test_a_single_digit_is_the_single_digit_path_unchanged():
    seven = placed("7 crossed", 60, 40, 200)
    tap = [np.array([[270.0, 270.0]])]
    for strokes in (seven, seven + tap):
        found = drawing_digits(check_strokes(strokes), 280.0, 280.0)
        assert len(found) == 1
        np.testing.assert_array_equal(found[0].x, single_digit(check_strokes(strokes), 280.0, 280.0))


def test_an_underline_under_a_number_and_a_decimal_point_are_not_digits():
    number = placed("2 curved", 20) + placed("5 classic", 200)
    underline = [np.array([[15.0, 240.0], [380.0, 244.0]])]
    dot = [np.array([[185.0, 205.0], [186.0, 206.0]])]
    assert len(drawing_digits(check_strokes(number + underline), 420.0, 280.0)) == 2
    assert len(drawing_digits(check_strokes(number + dot), 420.0, 280.0)) == 2


def test_group_pieces_refuses_bad_boxes_and_handles_none():
    assert group_pieces(np.zeros((0, 4))) == []
    with pytest.raises(ValueError, match="finite"):
        group_pieces(np.array([[0, 0, np.nan, 1]]))
    with pytest.raises(ValueError, match="x0 <= x1"):
        group_pieces(np.array([[5, 0, 1, 1]]))


@pytest.fixture(scope="module")
def digits_28():
    from build.pagedriver import mnist_test_images, mnist_test_labels

    return mnist_test_images(200), mnist_test_labels(200)


def test_a_picture_of_a_number_is_split_into_its_digits(digits_28):
    images, labels = digits_28
    rng = np.random.default_rng(3)
    number = compose(images, labels, 4, "wide", rng)
    for picture in (pen_picture(number), scan_picture(number, images)):
        found = picture_digits(picture)
        assert len(found) == 4
        centres = [(f.box[0] + f.box[2]) / 2 for f in found]
        truth = (number.boxes[:, 0] + number.boxes[:, 2]) / 2
        assert np.abs(np.array(centres) - truth).max() < 0.25 * 150  # each box where its digit is


def test_an_underline_under_a_picture_of_a_number_is_not_a_digit(digits_28, shipped_model):
    """A line under a written number, apart from it, is left out: it had
    joined every digit into one group."""
    images, labels = digits_28
    read = shipped_model.predict_proba
    for seed in range(1, 5):
        number = compose(images, labels, 3, "wide", np.random.default_rng(seed))
        picture = pen_picture(number, 4.0)
        x0, x1 = int(number.boxes[:, 0].min()) - 10, int(number.boxes[:, 2].max()) + 10
        bottom = int(number.boxes[:, 3].max())
        picture[bottom + 2 * seed : bottom + 2 * seed + 4, x0:x1] = 0  # a 4 px line, 2-8 px under the lowest digit
        found = picture_number(picture, read)
        assert "".join(str(d) for d in shipped_model.predict(np.stack([f.x for f in found]))) == \
            "".join(str(d) for d in shipped_model.predict(np.stack([f.x for f in picture_number(pen_picture(number, 4.0), read)])))
        assert len(found) == 3


def test_a_number_written_with_a_thin_pen_on_lined_paper(digits_28, shipped_model):
    """Blue rulings fainter than a dark thin pen are taken out, and the
    strokes that run along them stay: before, a 3-4 px pen's number on lined
    paper came out with extra digits made of strokes cut by the lines."""
    images, labels = digits_28
    read = shipped_model.predict_proba
    same = 0
    for seed in range(6):
        number = compose(images, labels, 3, "close", np.random.default_rng(seed))
        ink = pen_picture(number, 3.5)
        page = np.full((*ink.shape, 3), 255, np.uint8)
        page[np.arange(ink.shape[0]) % 20 < 2] = (150, 180, 235)  # blue rulings every 20 px
        page = np.minimum(page, ink[..., None])  # the pen's dark ink over them
        plain = "".join(str(d) for d in shipped_model.predict(np.stack([f.x for f in picture_number(ink, read)])))
        lined = picture_number(page, read)
        same += "".join(str(d) for d in shipped_model.predict(np.stack([f.x for f in lined]))) == plain
    assert same >= 5


def test_a_28_by_28_picture_is_one_digit(digits_28, shipped_model, monkeypatch):
    """MNIST's own format holds one digit: impulse noise broke some of them
    into pieces the number finder read as several digits."""
    import pynet.input.number_picture as number_picture

    images, _ = digits_28
    rng = np.random.default_rng(0)
    noisy = []
    for image in images[:150]:
        picture = image.copy()
        r = rng.random(image.shape)
        picture[r < 0.05], picture[r > 0.95] = 0, 255
        noisy.append(picture)
    assert all(len(picture_number(p, shipped_model.predict_proba)) == 1 for p in noisy)
    monkeypatch.setattr(number_picture, "TINY", 0)  # as before: some are read as numbers
    assert sum(len(picture_number(p, shipped_model.predict_proba)) > 1 for p in noisy) >= 2


def test_touching_digits_are_cut_apart(digits_28):
    images, labels = digits_28
    rng = np.random.default_rng(5)
    cut = 0
    for _ in range(6):
        number = compose(images, labels, 2, "touching", rng)
        cut += len(picture_digits(pen_picture(number), lambda x: np.full((len(x), 10), 0.1))) == 2
    assert cut >= 4


def test_a_cut_never_leaves_a_piece_too_short_to_be_a_digit_of_the_row(digits_28, shipped_model):
    """A cut between touching digits is chosen only where both parts are as
    tall as a digit of the row (``is_a_row``): the thinnest column often
    sliced off a 2's base or a 5's bar, the flat piece broke the row, and
    the whole number was read as one digit (seeds 2 and 6 here, "2" for
    "235372" at 1.0: 4 % of 4-digit and 6 % of 6-digit thin-pen numbers)."""
    images, labels = digits_28
    read = shipped_model.predict_proba
    counts = [len(picture_number(pen_picture(compose(images, labels, 4, "touching", np.random.default_rng(seed))), read))
              for seed in range(8)]
    assert min(counts) >= 3 and counts.count(4) >= 6, counts


def test_digits_whose_ink_overlaps_in_a_picture_are_cut_apart(digits_28, shipped_model):
    """In a row of digits, a group no wider than one digit may hold two
    whose ink overlaps (a 1 leaning into the 6 beside it); it is cut when
    the network reads both parts surely (``ROW_MAY_SPLIT``,
    ``NARROW_SURE``). Before, each of these scans lost a digit: "1275"
    read "275", "1635" "635", "2691" "269", "9514" "954", "9143" "943"."""
    images, labels = digits_28
    read = shipped_model.predict_proba
    for seed in (4, 17, 22, 37, 57):
        number = compose(images, labels, 4, "touching", np.random.default_rng(seed))
        found = picture_number(scan_picture(number, images), read)
        assert "".join(str(int(p.argmax())) for p in read(np.stack([f.x for f in found]))) == number.label


def test_a_1_leaning_into_the_0_beside_it_stays_a_digit():
    """A slanted 1 is as wide as its slant makes it, no stick by its box; as
    a straight steep stroke it is one all the same, and stays apart from the
    0 it touches (a new user's "1050" drawn with the page's pen read a sure
    "050")."""
    from pynet.input.number_drawing import straight_stroke

    one = np.array([[0.44, 0.0], [0.28, 0.5], [0.214, 1.0]]) * 150 + [40 - 0.214 * 150, 60]
    zero = [np.array([[0.3 + 0.27 * np.cos(t), 0.5 + 0.48 * np.sin(t)] for t in np.linspace(-1.57, 4.8, 25)])]
    zero_at = lambda x: [z * 150 + [x, 63] for z in zero]  # noqa: E731
    strokes = check_strokes([one] + zero_at(48) + zero_at(200) + zero_at(320))
    assert len(digit_strokes(strokes, 700.0, 280.0)) == 4
    assert straight_stroke(one) and straight_stroke(np.array([[0.0, 0.0], [0.0, 1.0]]))
    assert not straight_stroke(zero[0]) and not straight_stroke(np.array([[0.0, 0.0], [1.0, 0.2]]))  # a bar: flat
    assert not straight_stroke(np.array([[0.0, 0.0], [0.3, 0.5], [0.0, 1.0]]))  # bent: a < or a 7's corner


def test_two_slanted_1s_side_by_side_are_two_digits(shipped_model):
    """Two 1s written with the same slant overlap along the line by their
    slant, though a clear gap lies between them: they were joined into one
    digit and "11" read a sure 1 (0.94). Straight steep strokes standing
    side by side at least a pen apart are two digits; ones that meet or
    cross -- a 4's slanted side meeting its stem, a retraced 1 -- stay one."""
    from pynet.input.test_time import read

    def line(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        return np.stack([np.linspace(x0, x1, 20), np.linspace(y0, y1, 20)], axis=1)

    for slant in (0.15, 0.25, 0.5):
        ones = [line(200 + slant * 150, 60, 200, 210), line(230 + slant * 150, 60, 230, 210)]
        found = drawing_digits(check_strokes(ones), 700.0, 280.0)
        assert len(found) == 2
        assert read(shipped_model.predict_proba, np.stack([f.x for f in found])).argmax(axis=1).tolist() == [1, 1]
    four = [line(230, 60, 170, 180), line(240, 60, 240, 215), line(160, 175, 280, 175)]  # its side ends a little short
    assert len(digit_strokes(check_strokes(four), 700.0, 280.0)) == 1
    retraced = [line(230, 60, 200, 210), line(236, 62, 204, 212)]
    assert len(digit_strokes(check_strokes(retraced), 700.0, 280.0)) == 1


def test_two_slanted_1s_side_by_side_in_a_picture_are_two_digits(shipped_model):
    """The same in a picture: an ink component that is a straight steep
    stroke carries its ends (``number_pieces.piece_lines``), and two such
    standing side by side are two 1s ("111" written slanted with a 6 or 12
    px pen was read "11", the first unsure)."""
    from pynet.input.components import label
    from pynet.input.number_pieces import piece_lines
    from pynet.input.strokes import rasterize
    from pynet.input.test_time import read

    def line(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        return np.stack([np.linspace(x0, x1, 20), np.linspace(y0, y1, 20)], axis=1)

    for pen in (6.0, 12.0):
        ones = [line(230, 60, 200, 210), line(255, 60, 225, 210), line(345, 60, 345, 210)]
        picture = (255 - np.round(rasterize(ones, pen, side=500)[:280] * 255)).astype(np.uint8)
        found = picture_number(picture, shipped_model.predict_proba)
        assert read(shipped_model.predict_proba, np.stack([f.x for f in found])).argmax(axis=1).tolist() == [1, 1, 1]
    zero = rasterize([np.array([[200 + 40 * np.cos(t), 135 + 75 * np.sin(t)] for t in np.linspace(0, 6.3, 40)])],
                     8.0, side=300) > 0.5
    one = rasterize([line(130, 60, 100, 210)], 8.0, side=300) > 0.5
    comps = label(one | zero)
    lines = piece_lines(comps, np.arange(comps.count))
    straight = np.isfinite(lines[:, 0])
    assert straight.sum() == 1 and comps.boxes[int(np.argmax(straight)), 1] < 150  # the 1, not the 0
    x_top, y_top, x_bottom, y_bottom = lines[straight][0]
    assert y_top < y_bottom and abs(x_top - 130) < 6 and abs(x_bottom - 100) < 6


def test_a_0_written_as_two_halves_is_one_digit(shipped_model):
    """Two strokes whose ends meet at both ends close a shape together: a 0
    written as two halves, each from top to bottom, a little apart along
    the line, was two digits on the wide area ("10" read "162")."""
    from pynet.input.number_drawing import closed_shapes
    from pynet.input.test_time import read

    def half(cx: float, t0: float, t1: float) -> np.ndarray:
        t = np.linspace(t0, t1, 20)
        return np.stack([cx + 45 * np.cos(t), 135 + 75 * np.sin(t)], axis=1)

    one = np.stack([np.full(20, 150.0), np.linspace(60, 210, 20)], axis=1)
    strokes = check_strokes([one, half(250, -np.pi / 2, -3 * np.pi / 2), half(258, -np.pi / 2, np.pi / 2)])
    found = drawing_digits(strokes, 700.0, 280.0)
    assert read(shipped_model.predict_proba, np.stack([f.x for f in found])).argmax(axis=1).tolist() == [1, 0]
    assert closed_shapes(strokes, 19.6) == [[0], [1, 2]]
    touching = [one, np.stack([np.linspace(150, 260, 20), np.linspace(210, 60, 20)], axis=1)]  # meet at one end only
    assert closed_shapes(touching, 19.6) == [[0], [1]]


def test_a_short_piece_overlapping_its_neighbour_is_part_of_it():
    """A group both short and overlapping its neighbour (``doubtful``'s two
    reasons at once) is a piece of that digit broken off, not a digit:
    traced 4s broke so ("4044" read "40414")."""
    digit, piece, other = [0, 0, 100, 150], [80, 40, 200, 110], [260, 0, 360, 150]
    assert group_pieces(np.array([digit, piece, other])) == [[0, 1], [2]]
    apart = [110, 40, 230, 110]  # short but beside it, not over it: a digit of its own (doubtful says "short")
    assert group_pieces(np.array([digit, apart, other])) == [[0], [1], [2]]
    tall = [80, 0, 200, 150]  # overlapping as much but as tall as a digit: two digits (doubtful says "overlap")
    assert group_pieces(np.array([digit, tall, other])) == [[0], [1], [2]]


def test_a_shadow_over_every_digit_or_half_a_lined_page_is_paper(digits_28, shipped_model):
    """A band of shadow along the whole number joins every digit to it, and
    a shadow over half the page throws the ink threshold off: the strokes
    are measured on ink darker than any shadow instead (a new user's
    "5628" under a band read "8?2?8?8?", and "8273" on lined paper half in
    shadow read no digit)."""
    images, labels = digits_28
    read = shipped_model.predict_proba

    def number_read(picture) -> str:
        return "".join(str(d) for d in shipped_model.predict(np.stack([f.x for f in picture_number(picture, read)])))

    same = 0
    for seed in range(3):
        number = compose(images, labels, 4, "wide", np.random.default_rng(seed))
        ink = pen_picture(number, 6.0).astype(np.float64) / 255
        h, w = ink.shape
        rows, cols = np.arange(h)[:, None], np.arange(w)[None, :]
        band = (np.abs(rows - h / 2) < 0.12 * h) * np.ones((1, w))  # along the number, through every digit
        half = (cols < 0.45 * w) * np.ones((h, 1))  # the left of the page in shadow ...
        lined = np.where(rows % 25 < 2, 0.75, 1.0) * np.ones((1, w))  # ... on ruled paper
        plain = number_read(pen_picture(number, 6.0))
        for depth, shadow, paper in ((0.5, band, 1.0), (0.3, band, 1.0), (0.45, half, lined)):
            same += number_read(np.round(255 * np.minimum(ink, paper) * (1 - depth * shadow)).astype(np.uint8)) == plain
    assert same >= 8


def test_a_small_number_on_a_big_page_is_found(digits_28, shipped_model):
    """Ink under 0.2 % of the picture (a thin pen's number on a 2000 x 1500
    page) was taken for light ink on a dark ground: the paper's median and
    both extreme percentiles were all white (a new user's "47" read as one
    unsure 7, or no digit at all)."""
    from pynet.input.ink import is_dark_on_light

    images, labels = digits_28
    number = compose(images, labels, 2, "wide", np.random.default_rng(1))
    ink = pen_picture(number, 3.0)
    page = np.full((1500, 2000), 255, np.uint8)
    page[600 : 600 + ink.shape[0], 800 : 800 + ink.shape[1]] = ink
    assert (page < 128).mean() < 0.002
    assert is_dark_on_light(page / 255.0) and not is_dark_on_light(1 - page / 255.0)
    assert is_dark_on_light(np.ones((10, 10)))  # a blank page: the usual polarity
    found = picture_number(page, shipped_model.predict_proba)
    assert "".join(str(d) for d in shipped_model.predict(np.stack([f.x for f in found]))) == number.label


def test_a_shadow_across_a_number_is_paper_and_its_digits_are_read(digits_28, shipped_model):
    """A band of shadow across a written number, its edge sharp or soft,
    half as bright as the paper: the tiles' lighting took it for ink, it
    reached the picture's edge and was left out with the digits it crossed
    (a new user's "5046" read "56" or "546", sure). The paper is now
    followed pixel by pixel and divided out of each digit's crop."""
    images, labels = digits_28
    read = shipped_model.predict_proba
    same = 0
    for seed in range(4):
        number = compose(images, labels, 4, "wide", np.random.default_rng(seed))
        ink = pen_picture(number, 6.0).astype(np.float64) / 255
        h, w = ink.shape
        yy, xx = np.mgrid[:h, :w]
        across = (xx - 0.6 * yy - 0.3 * w) / (0.12 * w)  # a slanted band over the second digit or so
        band = np.clip(1.5 - np.abs(across), 0, 1) if seed % 2 else (np.abs(across) < 1).astype(float)
        shadowed = np.round(255 * ink * (1 - 0.5 * band)).astype(np.uint8)
        plain = "".join(str(d) for d in shipped_model.predict(np.stack([f.x for f in picture_number(pen_picture(number, 6.0), read)])))
        got = "".join(str(d) for d in shipped_model.predict(np.stack([f.x for f in picture_number(shadowed, read)])))
        same += got == plain
    assert same >= 3


def test_a_picture_of_one_digit_is_read_as_before(digits_28):
    from build.pen_images import pen_image

    picture = pen_image(PRINTED["7 plain"][1], 8, page_px=200, dark_on_light=True)
    found = picture_number(picture)
    assert len(found) == 1
    np.testing.assert_array_equal(found[0].x, preprocess_image(picture))
    assert picture_number(np.full((50, 50), 255, np.uint8)) == []


def test_the_worker_answers_digit_by_digit(tmp_path):
    from pynet.browser.session import Session
    from pynet.config import ModelConfig
    from pynet.io.model_file import model_to_bytes
    from pynet.nn.model import build_model

    s = Session()
    s.models.add_model("m", model_to_bytes(build_model(ModelConfig(hidden=(16,)))))
    strokes = placed("4 open", 20) + placed("1 stick", 200) + placed("0 oval", 330)
    points = np.concatenate(strokes).astype(np.float32)
    args = {"points": points.tobytes(), "lengths": np.array([len(p) for p in strokes], np.int32).tobytes(),
            "width": 560.0, "height": 280.0}
    answer = s.drawings.classify(**args)
    assert len(answer["digits"]) == 3 and answer["number"] == "".join(str(d["digit"]) for d in answer["digits"])
    assert all(len(d["box"]) == 4 and len(d["input"]) == 784 for d in answer["digits"])
    second = np.frombuffer(s.drawings.preprocess_sample(**args, digit=1), np.float32)
    assert np.array_equal(np.round(second * 255).astype(np.uint8), np.frombuffer(answer["digits"][1]["input"], np.uint8))
    with pytest.raises(ValueError, match="no digit 3"):
        s.drawings.preprocess_sample(**args, digit=3)
    assert s.handle("explain", args | {"digit": 5})["error"]["kind"]


def test_pynet_predict_reads_a_number_as_json_and_as_text(tmp_path, digits_28, capsys):
    from pynet.cli.main import main

    images, labels = digits_28
    number = compose(images, labels, 4, "wide", np.random.default_rng(11))
    path = tmp_path / "number.npy"
    np.save(path, scan_picture(number, images))
    blank = tmp_path / "blank.npy"
    np.save(blank, np.full((40, 40), 255, np.uint8))
    assert main(["predict", "--json", str(path), str(blank)]) == 1  # one file held no digit
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["file"] == str(path) and len(lines[0]["digits"]) == 4
    assert lines[0]["number"] == "".join(str(d["digit"]) for d in lines[0]["digits"])
    assert set(lines[0]["digits"][0]) == {"digit", "confidence", "unsure", "probabilities", "box", "why"}
    assert lines[1] == {"file": str(blank), "number": None, "digits": []}
    assert main(["predict", str(path)]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"{path}: ") and "4 digits, confidence" in text


def test_the_page_and_predict_say_why_a_fairly_sure_digit_of_a_number_is_unsure(tmp_path, digits_28, capsys,
                                                                                   monkeypatch):
    """A digit read at 0.9 is sure alone but not as one of four: the worker's
    answer and ``pynet predict`` mark it and give the number's bar as why."""
    from types import SimpleNamespace

    import pynet.browser.drawing_requests as requests
    import pynet.cli.model_commands as commands
    from pynet.cli.main import main

    def four_digits(predict_proba, x):  # the network's answer, made up: 7, 8 at 0.9 (or 3), 7, 7
        probs = np.zeros((len(x), 10))
        probs[:, 7] = 1.0
        probs[1, 7], probs[1, 8], probs[1, 3] = 0.0, 0.9, 0.1
        return probs

    monkeypatch.setattr(requests, "read", four_digits)
    monkeypatch.setattr(commands, "read", four_digits)
    found = [FoundDigit(np.zeros(784, np.float32), (10.0 * k, 0.0, 10.0 * k + 8, 20.0)) for k in range(4)]
    models = SimpleNamespace(active="m", entry=lambda: SimpleNamespace(model=SimpleNamespace(predict_proba=None)))
    answer = requests.number_classification(models, found, "drawing")
    assert answer["number"] == "7877" and [d["unsure"] for d in answer["digits"]] == [False, True, False, False]
    assert answer["digits"][1]["why"].startswith("each digit of a 4-digit number must be at least 93% sure")
    images, labels = digits_28
    path = tmp_path / "number.npy"
    np.save(path, scan_picture(compose(images, labels, 4, "wide", np.random.default_rng(11)), images))
    assert main(["predict", str(path)]) == 0
    text = capsys.readouterr().out
    assert "2nd digit 8 or 3? (each digit of a 4-digit number must be at least 93% sure" in text


def test_digits_that_have_not_changed_are_not_rendered_again(monkeypatch):
    import pynet.input.number_drawing as nd

    rendered = []
    real = nd.single_digit
    monkeypatch.setattr(nd, "single_digit", lambda g, w, h: rendered.append(len(g)) or real(g, w, h))
    cache: dict = {}
    first = placed("4 open", 20) + placed("1 stick", 200)
    before = nd.drawing_digits(check_strokes(first), 560.0, 280.0, cache)
    after = nd.drawing_digits(check_strokes(first + placed("0 oval", 330)), 560.0, 280.0, cache)
    assert rendered == [2, 1, 1]  # the 4 and the 1 once, then only the new 0
    assert [d.box for d in after[:2]] == [d.box for d in before]
    fresh = nd.drawing_digits(check_strokes(first + placed("0 oval", 330)), 560.0, 280.0)
    assert all(np.array_equal(a.x, b.x) for a, b in zip(after, fresh))
    for k in range(nd.CACHE_SIZE + 5):
        nd.drawing_digits(check_strokes(placed("7 plain", 20 + k)), 560.0, 280.0, cache)
    assert len(cache) == nd.CACHE_SIZE


def test_pynet_predict_reads_a_photographed_number(tmp_path, digits_28, capsys):
    from PIL import Image

    from build.pen_images import paper_photo
    from pynet.cli.main import main

    images, labels = digits_28
    number = compose(images, labels, 4, "close", np.random.default_rng(2))
    path = tmp_path / "photo.jpg"
    Image.fromarray(paper_photo(255 - pen_picture(number, 6.0), seed=1)).save(path)
    assert main(["predict", "--json", str(path)]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert len(answer["digits"]) == 4
    assert sum(a == b for a, b in zip(answer["number"], number.label)) >= 3  # the shipped model reads it


def test_a_digit_whose_finding_is_in_doubt_is_marked():
    from pynet.input.digit_groups import doubtful

    two, five = placed("2 curved", 20), placed("5 classic", 200)
    assert [f.doubt for f in drawing_digits(check_strokes(two + five), 420.0, 280.0)] == ["", ""]
    # A short stick beside a 2 (over PIECE, under SHORT of its height): maybe a piece of a digit, not a digit.
    stick = [np.array([[200.0, 130.0], [200.0, 215.0]])]
    found = drawing_digits(check_strokes(two + five + [s + [170.0, 0.0] for s in stick]), 560.0, 280.0)
    assert [f.doubt for f in found] == ["", "", "short"]
    # Neighbours overlapping by a fifth of the height: strokes maybe shared out wrongly.
    assert doubtful(np.array([[0, 0, 100, 150], [70, 0, 170, 150], [200, 0, 300, 150]])) == ["overlap", "overlap", ""]
    # A stem wholly within its neighbour's extent shares only its own width with it: in doubt too.
    assert doubtful(np.array([[0, 0, 200, 150], [150, 0, 165, 150], [260, 0, 360, 150]])) == ["overlap", "overlap", ""]
    assert doubtful(np.array([[0, 0, 100, 150], [90, 0, 105, 150], [200, 0, 300, 150]])) == ["", "", ""]  # at the edge
    assert doubtful(np.array([[0, 0, 100, 150]])) == [""]  # a lone digit: never
    with pytest.raises(ValueError, match="n, 4"):
        doubtful(np.zeros((2, 3)))


def test_a_doubtful_digit_is_answered_unsure_with_its_runner_up():
    from pynet.training.confidence import judge, judge_found

    probs = np.array([0.0, 0.01, 0.0, 0.0, 0.0, 0.0, 0.0, 0.97, 0.02, 0.0])
    assert judge_found(probs) == judge(probs) | {"doubt": ""}
    answer = judge_found(probs, "cut")
    assert answer["unsure"] and answer["alternatives"] == [8] and answer["digit"] == 7 and answer["doubt"] == "cut"


def test_a_number_s_digits_are_held_to_the_bar_of_the_number_as_a_whole():
    from pynet.training.confidence import UNSURE_BELOW, judge_found, judge_number, number_sure_from

    assert number_sure_from(1) == UNSURE_BELOW
    for n in (2, 4, 6, 12):  # every digit just at the bar: the number is as sure as a lone digit must be
        assert number_sure_from(n) ** n == pytest.approx(UNSURE_BELOW)
        assert number_sure_from(n) > number_sure_from(n - 1)
    sure = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0])
    middling = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.90, 0.10, 0.0])  # sure alone (0.75), not in 4
    alone = judge_number(middling[None], [""], [""])
    assert alone == [judge_found(middling) | {"why": ""}] and not alone[0]["unsure"]
    assert not judge_number(np.stack([middling, sure]), [""] * 2, [""] * 2)[0]["unsure"]  # 2 digits: 0.866
    four = judge_number(np.stack([sure, middling, sure, sure]), [""] * 4, [""] * 4)
    assert [a["unsure"] for a in four] == [False, True, False, False]
    assert four[1]["digit"] == 7 and four[1]["alternatives"] == [8] and four[1]["doubt"] == ""
    assert "4-digit number" in four[1]["why"] and "93%" in four[1]["why"] and four[0]["why"] == ""
    # A finding's doubt and a cleaned picture keep their own rules.
    doubted = judge_number(np.stack([sure, sure]), ["cut", ""], ["", "a line was taken out"])
    assert doubted[0]["unsure"] and doubted[0]["doubt"] == "cut" and not doubted[1]["unsure"]


def test_a_cut_made_on_a_close_call_leaves_both_parts_in_doubt(digits_28):
    images, labels = digits_28
    number = compose(images, labels, 2, "touching", np.random.default_rng(2))
    picture = pen_picture(number)  # its 5 is one component wide enough to be tried cut
    def reader(whole: float, parts: float):
        """A stand-in network: its top probability for a group read whole (one input) or cut (two)."""
        return lambda x: np.tile(np.eye(10)[3] * (whole if len(x) == 1 else parts) + 0.01, (len(x), 1))

    close_call = picture_digits(picture, reader(0.6, 0.8))  # the parts read better, but not by CUT_SURE
    assert [f.doubt for f in close_call] == ["cut", "cut", ""]
    clear = picture_digits(picture, reader(0.2, 0.95))
    assert len(clear) == 3 and "cut" not in [f.doubt for f in clear]  # (a part may still be "short")


def test_a_wide_digit_read_whole_surely_and_its_cuts_badly_stays_whole_and_unsure():
    """A group wider than MUST_SPLIT is cut, unless the network reads it
    whole surely and its best cut badly (``KEEP_WIDE``): wide 0s of the
    damaged sets read whole at 1.000 were cut into two unsure digits. It is
    then one digit marked "wide"."""
    from pynet.input.number_picture import KEEP_WIDE, WHOLE_SURE

    yy, xx = np.mgrid[:200, :400]
    radius = np.hypot((xx - 200) / 150, (yy - 100) / 80)
    picture = np.where(np.abs(radius - 1) < 0.05, 0, 255).astype(np.uint8)  # a ring 1.8 times as wide as high

    def reader(whole: float, parts: float):
        """A stand-in network: its top probability for a group read whole (one input) or cut (two)."""
        return lambda x: np.tile(np.eye(10)[3] * (whole if len(x) == 1 else parts) + 0.001, (len(x), 1))

    kept = picture_digits(picture, reader(WHOLE_SURE + 0.005, KEEP_WIDE - 0.3))
    assert [f.doubt for f in kept] == ["wide"]
    cut = picture_digits(picture, reader(WHOLE_SURE + 0.005, KEEP_WIDE + 0.1))
    assert len(cut) == 2 and all(f.doubt == "cut" for f in cut)


def test_a_digit_broken_into_side_by_side_pieces_stays_whole_on_the_square_area():
    from build.handwriting import mnist_strokes
    from build.pagedriver import mnist_test_images, sparse

    four = mnist_test_images(426)[425]  # a 4 whose tracing breaks into two pieces side by side
    strokes = check_strokes([np.asarray(s, np.float64) * 224 + 28 for s in sparse(mnist_strokes(four))])
    # On the wide area it is one digit too now: its short piece overlaps the rest, and is joined back to it.
    assert len(digit_strokes(strokes, 700.0, 280.0)) == 1
    found = drawing_digits(strokes, 280.0, 280.0)  # on the square area, drawn as the page's tests draw: one
    assert len(found) == 1
    np.testing.assert_array_equal(found[0].x, single_digit(strokes, 280.0, 280.0))
    # Two digits clearly apart stay two on the square area too.
    one, zero = placed("1 stick", 20, 60, 110), placed("0 oval", 150, 60, 110)
    assert len(drawing_digits(check_strokes(one + zero), 280.0, 280.0)) == 2


def test_a_1_touching_its_neighbour_stays_a_digit_and_a_4_s_stem_stays_in_its_4():
    five = placed("5 classic", 80)
    left = min(float(s[:, 0].min()) for s in five)
    one = [np.array([[left + 4.0, 60.0], [left + 4.0, 210.0]])]  # a 1 drawn over the 5's left edge
    assert len(digit_strokes(check_strokes(one + five), 700.0, 280.0)) == 2
    four = placed("4 open", 80)
    assert len(digit_strokes(check_strokes(four), 700.0, 280.0)) == 1


def _loop(cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
    a = np.linspace(0, 2 * np.pi, 33)
    return np.stack([cx + rx * np.cos(a), cy + ry * np.sin(a)], axis=1)


def test_a_9_or_4_written_as_a_loop_or_corner_and_then_a_stem_stays_one_digit(shipped_model):
    """A stem drawn at the edge of a loop or corner that hangs from its top
    is that digit's, not a 1 beside it; a 1 beside a digit on the same line
    stays a digit of its own."""
    nine = [_loop(130, 90, 45, 45), np.array([[176.0, 90.0], [170.0, 235.0]])]  # loop, then its stem down the right
    four = [np.array([[260.0, 40.0], [250.0, 150.0], [340.0, 150.0]]),  # corner, then a stem at the bar's end
            np.array([[338.0, 40.0], [338.0, 235.0]])]
    one, zero = [np.array([[420.0, 40.0], [420.0, 235.0]])], [_loop(460, 137, 40, 97)]  # a 1 touching a 0
    found = drawing_digits(check_strokes(nine + four + one + zero), 700.0, 280.0)
    answer = "".join(str(d) for d in shipped_model.predict(np.stack([f.x for f in found])))
    assert answer == "9410"
    alone = drawing_digits(check_strokes(nine), 700.0, 280.0)
    assert len(alone) == 1 and int(shipped_model.predict(alone[0].x[None])[0]) == 9
    apart = [_loop(130, 90, 45, 45), np.array([[192.0, 70.0], [188.0, 235.0]])]  # the stem a little right of the loop
    found = drawing_digits(check_strokes(apart + one + zero), 700.0, 280.0)
    assert "".join(str(d) for d in shipped_model.predict(np.stack([f.x for f in found]))) == "910"


def _zig_zag_across(picture: np.ndarray, rows: tuple[int, int], period: int = 40, width: int = 4) -> np.ndarray:
    """``picture`` with a dark zig-zag from its left edge to its right, between ``rows``."""
    out = picture.copy()
    h, w = out.shape[:2]
    xs = np.arange(w)
    phase = (xs % period) / period
    ys = rows[0] + (rows[1] - rows[0]) * np.where(phase < 0.5, 2 * phase, 2 - 2 * phase)
    for dy in range(-(width // 2), width - width // 2):
        out[np.clip(np.round(ys).astype(int) + dy, 0, h - 1), xs] = 0
    return out


def test_a_number_struck_through_by_a_zig_zag_is_never_read_wrong_and_sure(digits_28, shipped_model):
    """A zig-zag through a written number: when the number finder's row is
    held back (what is left of the line where it crosses the digits may
    pass for digits), the picture is read as one digit and says why -- a new
    user's "507" struck through read as a sure "5" (2026-12-07)."""
    from pynet.training.confidence import judge_found

    images, labels = digits_28
    read = shipped_model.predict_proba
    for seed in range(6):
        number = compose(images, labels, 3, "wide", np.random.default_rng(seed))
        picture = pen_picture(number, 4.0)
        middle = int((number.boxes[:, 1].min() + number.boxes[:, 3].max()) / 2)
        found = picture_number(_zig_zag_across(picture, (middle - 12, middle + 12)), read)
        answers = [judge_found(p, f.doubt, f.cleaned) for p, f in zip(read(np.stack([f.x for f in found])), found)]
        text = "".join(str(a["digit"]) for a in answers)
        assert text == number.label or any(a["unsure"] for a in answers), (seed, number.label, text)


def test_more_marks_than_a_number_holds_are_read_as_one_digit_and_say_so(tmp_path, digits_28, capsys):
    """Thirteen digits side by side are more than a number is read with
    (``MAX_DIGITS``): the picture is read as one digit, unsure, and ``pynet
    predict --json`` says why (a new user's 13 sevens had read as a sure 7,
    with no reason given)."""
    from pynet.cli.main import main

    images, _ = digits_28
    seven = 255 - images[0]  # MNIST's first test digit, a 7, dark on white
    row = np.concatenate([np.pad(seven, ((4, 4), (2, 2)), constant_values=255)] * 13, axis=1)
    path = tmp_path / "sevens.npy"
    np.save(path, row)
    main(["predict", "--json", str(path)])
    (digit,) = json.loads(capsys.readouterr().out)["digits"]
    assert digit["unsure"] and "more than 12 marks" in digit["why"]


def test_every_cut_of_a_group_is_read_in_one_call_with_the_same_scores(digits_28, shipped_model):
    """``quick_scores`` asks the network once for all of a group's cuts, and
    each cut scores as it does read alone (the smaller of its parts' tops)."""
    from pynet.input.digit_cuts import candidate_cuts, quick_scores

    images, labels = digits_28
    number = compose(images, labels, 2, "touching", np.random.default_rng(5))
    owned = pen_picture(number) < 128
    cuts = candidate_cuts(owned, 5)
    assert len(cuts) >= 2
    columns = np.arange(owned.shape[1])
    pairs = [(owned & (columns < c), owned & (columns >= c)) for c in cuts]
    calls = []

    def read(x):
        calls.append(len(x))
        return shipped_model.predict_proba(x)

    scores = quick_scores(pairs, read)
    assert calls == [2 * len(cuts)]
    for pair, score in zip(pairs, scores):
        alone = quick_scores([pair], shipped_model.predict_proba)[0]
        assert score == pytest.approx(alone, abs=1e-5)
    assert quick_scores([(owned, np.zeros_like(owned))], read) == [-1.0]  # a part with no ink


def test_digit_tall_marks_side_by_side_that_make_no_row_are_read_whole_but_unsure(digits_28, shipped_model):
    """Two digits and, between them, a mark a little over 0.4 of their
    height (a thin 4 of a small number broken into its stem and the rest):
    the marks make no row of digits, so the picture is read as one digit --
    and now said to be in doubt ("apart"), where a walkthrough's small
    "7427" was read as a sure 7."""
    from PIL import Image

    from pynet.input.number_drawing import doubt_words

    images, labels = digits_28
    page = np.full((200, 420), 255, np.uint8)
    for k, x in ((0, 20), (1, 290)):
        digit = np.asarray(Image.fromarray(images[k]).resize((110, 110), Image.BICUBIC))
        page[45:155, x : x + 110] = np.minimum(page[45:155, x : x + 110], 255 - digit)
    page[80:114, 195:203] = 0  # the mark: 34 px beside digits 78 and 79 px tall (0.43 of them)
    found = picture_number(page, shipped_model.predict_proba)
    assert len(found) == 1 and "apart" in found[0].doubt.split("; ")
    assert "side by side" in doubt_words(found[0].doubt)


def test_a_digit_beside_left_out_marks_as_tall_as_a_digit_is_unsure(digits_28, shipped_model):
    """Faint or broken ink left out as specks, as tall as a digit, in a gap
    of the row or just beyond its end: a digit may be missing there, and its
    neighbours say so ("gap"), where a walkthrough's "4383" with a faint 8
    was read "433", sure."""
    from PIL import Image

    from pynet.input.digit_groups import missing_beside
    from pynet.input.number_drawing import doubt_words

    digits = np.array([[0, 0, 10, 20], [30, 0, 40, 20], [45, 0, 55, 20]], float)
    between = np.array([[15, 2, 17, 5], [16, 9, 18, 12], [15, 15, 17, 18]], float)  # dots spanning 16 of 20
    assert missing_beside(digits, between, 20.0).tolist() == [True, True, False]
    assert missing_beside(digits, np.array([[60, 1, 62, 4], [61, 14, 63, 17]]), 20.0).tolist() == [False, False, True]
    assert not missing_beside(digits, between[:1], 20.0).any()  # one speck: not as tall as a digit
    assert not missing_beside(digits, between + [0, 40, 0, 40], 20.0).any()  # below the row
    assert not missing_beside(digits, np.zeros((0, 4)), 20.0).any()

    images, labels = digits_28
    page = np.full((200, 520), 255, np.uint8)
    for k, x in ((0, 10), (1, 140), (2, 400)):
        digit = np.asarray(Image.fromarray(images[k]).resize((110, 110), Image.BICUBIC))
        page[45:155, x : x + 110] = np.minimum(page[45:155, x : x + 110], 255 - digit)
    for y in range(70, 140, 12):  # a broken stroke between the second and third digits: specks
        page[y : y + 3, 320 : 323] = 60
    found = picture_number(page, shipped_model.predict_proba)
    assert len(found) == 3
    assert ["gap" in f.doubt.split("; ") for f in found] == [False, True, True]
    assert "a digit may be missing" in doubt_words(found[1].doubt)


def test_a_digit_fainter_than_the_threshold_at_the_end_of_a_number_leaves_its_neighbour_unsure(digits_28, shipped_model):
    """A last digit written so faintly that the ink's threshold leaves it
    out (a third of the others' contrast) is found among the faint ink
    (``number_ink.WEAK_INK``) beyond the row's end, and the digit beside it
    says a digit may be missing ("gap"): a walkthrough's "4079" with a faint
    9 was read "407", sure."""
    from PIL import Image

    images, _ = digits_28
    page = np.full((200, 560), 235, np.uint8)
    for k, x, strength in ((0, 10, 1.0), (1, 140, 1.0), (2, 270, 1.0), (3, 400, 0.3)):
        digit = np.asarray(Image.fromarray(images[k]).resize((110, 110), Image.BICUBIC)).astype(np.float64)
        page[45:155, x : x + 110] = np.minimum(page[45:155, x : x + 110], 235 - strength * digit * 200 / 255)
    found = picture_number(page, shipped_model.predict_proba)
    assert len(found) == 3
    assert ["gap" in f.doubt.split("; ") for f in found] == [False, False, True]
