"""Drawings and pictures to the network's 28x28 input.

``strokes.py`` renders a drawing's pen strokes (and drops stray marks and
underlines); ``preprocess.py`` reads a picture: ``ink.py`` finds the ink
(``noise.py`` takes out impulse noise and grain, ``background.py`` the
lighting, ``lines.py`` with ``ruling.py`` and ``line_graph.py`` the lines
through the picture, ``marks.py`` with ``components.py`` picks the digit's
marks and a sheet on a desk), ``outline.py`` fills a digit drawn in outline,
``skeleton.py`` thins it to strokes, which are then rendered like a drawing.
``image_files.py`` decodes picture files (Pillow, for the command line)
after ``image_check.py`` has checked their structure. A number's digits:
``number_drawing.py`` (a drawing's strokes) and ``number_picture.py`` (a
picture's ink), both grouping marks by place with ``digit_groups.py``, each
digit then read by the paths above. ``test_time.py`` reads an input the
way the page and ``pynet predict`` do: as given and in four more views
(turned, bolder, thinner), the network's answers averaged.
"""
