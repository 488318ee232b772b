"""Hostile and broken annotation files: memory safety, memory bombs, nesting, and one-line
refusals, in-process where that is safe and otherwise in a capped subprocess (the harness of
``adversarial_corpus.py``)."""
import logging
import os
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from mmengine.logging import MMLogger

from pyskl_lite.datasets import PoseDataset, load_annotation_pickle
from pyskl_lite.datasets.annotations import read_annotation_file, select_split
from pyskl_lite.utils import InputError
from tests.datasets import adversarial_corpus as corpus


def _case(name: str, cases: list[corpus.Case]) -> corpus.Case:
    return next(case for case in cases if case.name == name)


def _write(tmp_path: Path, case: corpus.Case) -> Path:
    path = tmp_path / 'ann.pkl'
    path.write_bytes(case.data)
    return path


@pytest.mark.parametrize('name', ['dtype/object_field_flag_cleared', 'dtype/field_offset_1e9',
                                  'dtype/subarray_dtype', 'dtype/object_dtype_list_data'])
def test_dtype_state_cannot_make_numpy_read_pointers_or_out_of_bounds(tmp_path, name):
    """Before: the dtype was rebuilt by numpy.dtype.__setstate__ and the array loaded; printing
    it dereferenced the chosen bytes as PyObject* (segfault)."""
    path = _write(tmp_path, _case(name, corpus.dtype_attacks()))
    with pytest.raises(InputError, match='dtype') as info:
        load_annotation_pickle(path)
    assert '\n' not in str(info.value)


@pytest.mark.parametrize('name,reason', [
    ('array/zero_strides_bomb', 'buffer, offset or strides'),
    ('array/negative_offset_buffer', 'buffer, offset or strides'),
    ('array/data_longer_than_shape', 'needs 8 bytes but its data has 4096'),
])
def test_arrays_are_built_from_exactly_their_bytes(tmp_path, name, reason):
    path = _write(tmp_path, _case(name, corpus.array_attacks()))
    with pytest.raises(InputError, match=reason):
        load_annotation_pickle(path)


def test_loaded_arrays_are_plain_writable_and_equal(tmp_path):
    item = corpus.sample(label=np.int64(1))
    item['keypoint'].flags.writeable = False
    path = tmp_path / 'ann.pkl'
    for protocol in (2, 4, 5):
        path.write_bytes(pickle.dumps(corpus.dataset([item]), protocol=protocol))
        loaded = load_annotation_pickle(path)['annotations'][0]
        assert type(loaded['keypoint']) is np.ndarray and loaded['keypoint'].flags.writeable
        np.testing.assert_array_equal(loaded['keypoint'], item['keypoint'])
        assert loaded['keypoint'].dtype == np.float32 and loaded['label'] == 1
        assert type(loaded['img_shape']) is tuple


def test_protocol_2_builtins_and_collections_still_load(tmp_path):
    from collections import OrderedDict, defaultdict
    data = dict(a={1, 2}, b=frozenset([3]), c=bytearray(b'xy'), d=b'', e=OrderedDict(k=1),
                f=defaultdict(list, k=[1]), g=complex(1, 2), h=np.float32(2.5))
    path = tmp_path / 'ann.pkl'
    path.write_bytes(pickle.dumps(data, protocol=2))
    loaded = load_annotation_pickle(path)
    assert loaded == data and loaded['f'].default_factory is list


_BOMBS = {
    'bomb/codecs_hex_chain': '_codecs.encode', 'bomb/codecs_zlib': '_codecs.encode',
    'bomb/codecs_unknown_codec': "codec 'no-such'", 'bomb/bytearray_size': 'sizes',
    'bomb/list_copies_quadratic': 'expands to more than', 'nest/tuple_200000': 'nested deeper',
    'nest/list_200000': 'nested deeper', 'nest/extra_field_list_100000': 'nested deeper',
}


def test_memory_bombs_and_deep_nesting_are_refused_in_a_capped_process(tmp_path):
    """In a subprocess under a 1 GiB address-space cap: before, the codec chain and the
    copies died of MemoryError (13-17 GB uncapped), the deep field of a RecursionError."""
    marker_dir = tmp_path / 'markers'
    marker_dir.mkdir()
    cases = [_case(name, corpus.memory_bombs()) for name in _BOMBS]
    for outcome in corpus.run_corpus(cases, tmp_path / 'cases', marker_dir):
        assert outcome.kind == 'one-line error', (outcome.case.name, outcome.output)
        assert _BOMBS[outcome.case.name] in outcome.output, outcome.output
        assert 'MemoryError' not in outcome.output


def _pose_dataset(tmp_path: Path, samples: list[dict], split: dict | None = None,
                  name: str = 'train') -> PoseDataset:
    path = tmp_path / 'ann.pkl'
    path.write_bytes(pickle.dumps(corpus.dataset(samples, split), protocol=4))
    return PoseDataset(str(path), split=name)


@pytest.mark.parametrize('override,field,reason', [
    (dict(img_shape=(0, 0)), 'img_shape', 'whole pixels from 1'),
    (dict(img_shape='big'), 'img_shape', 'whole pixels'),
    (dict(img_shape=(float('nan'), 640)), 'img_shape', 'whole pixels'),
    (dict(original_shape=(480, -1)), 'original_shape', 'whole pixels'),
    (dict(label=np.uint64(2 ** 63 + 5)), 'label', 'out of range'),
    (dict(label=10 ** 30), 'label', 'out of range'),
    (dict(keypoint_score=np.full((1, 6, 17), 'x')), 'keypoint_score', 'real-valued'),
    (dict(keypoint_score=...), 'keypoint_score', 'need confidence scores'),
    (dict(frame_dir=['a']), 'frame_dir', 'string id'),
    (dict(total_frames=True), 'total_frames', 'does not match'),
    (dict(keypoint=np.zeros((1, 6, 0, 2), np.float32),
          keypoint_score=np.zeros((1, 6, 0), np.float32)), 'keypoint', 'no joints'),
])
def test_every_field_is_validated_at_load(tmp_path, override, field, reason):
    item = corpus.sample(**override)
    split = dict(train=['x']) if not isinstance(item['frame_dir'], str) else None
    with pytest.raises(InputError, match=reason) as info:
        _pose_dataset(tmp_path, [item], split)
    assert f"field '{field}'" in str(info.value) and '\n' not in str(info.value)


def test_read_only_arrays_with_nan_are_repaired_not_a_traceback(tmp_path):
    item = corpus.sample()
    item['keypoint'][0, 0, 0] = np.nan
    keypoint = item['keypoint']
    annotations = [dict(item, keypoint=keypoint.copy())]
    annotations[0]['keypoint'].flags.writeable = False
    from pyskl_lite.datasets.annotations import ValidationReport, validate_sample
    report = ValidationReport()
    checked = validate_sample(annotations[0], 'x.pkl', None, report)
    assert checked['keypoint'].flags.writeable and np.isfinite(checked['keypoint']).all()
    assert report.nonfinite_joints == 1


def test_coordinates_beyond_a_million_become_missing(tmp_path):
    item = corpus.sample()
    item['keypoint'][0, 1, 2] = 1e30
    dataset = _pose_dataset(tmp_path, [item])
    assert dataset[0]['keypoint'].max() < 1e6


def test_frame_dir_twice_with_different_labels_is_refused(tmp_path):
    first, second = corpus.sample(0, label=0), corpus.sample(0, label=1)
    with pytest.raises(InputError, match='appears twice with labels 0 and 1') as info:
        _pose_dataset(tmp_path, [first, second], dict(train=[first['frame_dir']]))
    assert f"sample '{first['frame_dir']}'" in str(info.value)


def test_sample_in_train_and_val_of_one_benchmark_is_refused(tmp_path):
    a, b = corpus.sample(0), corpus.sample(1)
    split = dict(xsub_train=[a['frame_dir'], b['frame_dir']], xsub_val=[b['frame_dir']],
                 xview_train=[b['frame_dir']], xview_val=[a['frame_dir']])
    with pytest.raises(InputError, match="both split 'xsub_train' and split 'xsub_val'"):
        _pose_dataset(tmp_path, [a, b], split, 'xsub_train')
    # Another benchmark's val split may hold a training sample of this one.
    assert len(_pose_dataset(tmp_path, [a, b], split, 'xview_train')) == 1


def test_id_listed_twice_warns_and_is_used_once(tmp_path):
    a, b = corpus.sample(0), corpus.sample(1)
    logger = MMLogger.get_current_instance()
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        dataset = _pose_dataset(tmp_path, [a, b], dict(train=[a['frame_dir'], a['frame_dir'],
                                                              b['frame_dir']]))
    finally:
        logger.removeHandler(handler)
    assert len(dataset) == 2
    assert any('listed more than once' in record.getMessage() for record in records)


@pytest.mark.parametrize('split', [dict(train=[['x']]), dict(train=5)])
def test_unhashable_or_non_list_split_ids_give_one_line(tmp_path, split):
    path = tmp_path / 'ann.pkl'
    path.write_bytes(pickle.dumps(corpus.dataset([corpus.sample()], split)))
    annotations, splits = read_annotation_file(path)
    with pytest.raises(InputError, match="field 'split'"):
        select_split(annotations, splits, 'train', str(path))


def test_real_utkinect_file_loads_identically(tmp_path):
    real = Path(__file__).resolve().parents[2] / '..' / 'shared' / 'data' / 'utkinect_xsub.pkl'
    if not real.is_file():
        pytest.skip('real data not present')
    ours = load_annotation_pickle(real)
    with open(real, 'rb') as file:
        reference = pickle.load(file)  # a trusted file: the comparison needs plain pickle
    assert ours['split'] == reference['split']
    for mine, theirs in zip(ours['annotations'], reference['annotations'], strict=True):
        assert mine.keys() == theirs.keys()
        for key, value in theirs.items():
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(mine[key], value)
                assert mine[key].dtype == value.dtype
            else:
                assert mine[key] == value


_BASES = [case.data for case in corpus.valid_files()]
_ATTACK_GLOBALS = [b'c__builtin__\neval\n', b'cos\nsystem\n', b'cnumpy\ndtype\n',
                   b'cnumpy\nndarray\n', b'c_codecs\nencode\n', b'cbuiltins\nbytearray\n',
                   b'cnumpy.core.multiarray\n_reconstruct\n', b'R', b'b', b'(', b't', b'.']


@st.composite
def _mutated_pickle(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(_BASES)))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(['flip', 'insert', 'delete', 'global', 'truncate']))
        if action == 'flip' and position < len(data):
            data[position] = draw(st.integers(0, 255))
        elif action == 'insert':
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif action == 'delete':
            del data[position:position + draw(st.integers(1, 16))]
        elif action == 'global':
            data[position:position] = draw(st.sampled_from(_ATTACK_GLOBALS))
        else:
            del data[position:]
    return bytes(data)


def test_fuzzed_pickles_never_crash_write_files_or_print_tracebacks(tmp_path):
    """Hypothesis (fixed seed, 150 examples) mutates valid files and splices in dangerous
    globals and opcodes; with the corpus's hostile cases they run through
    tools/data/summarize.py in one capped subprocess (1 GiB above the worker, 20 s each):
    no crash signal, no hang, no file outside the case's temporary folder, and every refusal
    is one ``error:`` line."""
    generated: list[bytes] = []

    @seed(20261201)
    @settings(max_examples=150, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(_mutated_pickle())
    def collect(data: bytes) -> None:
        generated.append(data)

    collect()
    marker_dir = tmp_path / 'markers'
    marker_dir.mkdir()
    hostile = (corpus.code_execution(str(marker_dir)) + corpus.dtype_attacks()
               + corpus.array_attacks() + corpus.memory_bombs())
    cases = hostile + [corpus.Case(f'fuzz/{i}', data, 'either')
                       for i, data in enumerate(generated)]
    outcomes = corpus.run_corpus(cases, tmp_path / 'cases', marker_dir)
    bad = [(o.case.name, o.kind, o.output.strip().splitlines()[-1:]) for o in outcomes
           if o.kind not in ('one-line error', 'accepted')]
    assert not bad
    assert not any(marker_dir.iterdir())
    assert sorted(os.listdir(tmp_path)) == ['cases', 'markers']
