"""build_runner's config check."""
import pytest

import pyskl_lite
from pyskl_lite.apis import build_runner, load_config
from pyskl_lite.utils import InputError
from tests.tools.tiny_setup import write_configs

pyskl_lite.register_all_modules()


def test_num_classes_must_match_the_label_map(tmp_path):
    config = write_configs(tmp_path)['exact']
    cfg = load_config(config, {'model.cls_head.num_classes': 5})
    with pytest.raises(InputError, match=r"predicts 5 classes but the label map of "
                                         r"train_dataloader .* lists \d+; set --cfg-options"):
        build_runner(cfg)
