"""tools/sanity_check.py on a label-free (SimCLR) config: the loss-curve and linear-probe check
runs both probes and fails when the pretraining does not learn."""
from pyskl_lite.utils import InputError
from tests.apis.test_pretrained_loading import FAST, pretrained  # noqa: F401
from tests.tools.load_tool import load_tool
from tests.tools.tiny_setup import REPO

sanity_tool = load_tool('tools/sanity_check.py')


def run_check(labelled, work_dir, *options):
    return sanity_tool.main([str(REPO / 'configs' / 'simclr_c3d_keypoint.py'), '--work-dir',
                             str(work_dir), '--max-epochs', '2', '--cfg-options',
                             f'ann_file={labelled}', 'joint_layout=nturgb+d', 'label_map=[a,b]',
                             'num_classes=2', 'sanity_check.probe_epochs=1',
                             *[o for o in FAST if not o.startswith('max_epochs')], *options])


def test_a_pretraining_that_does_not_learn_fails_the_check(pretrained, tmp_path, capsys):  # noqa: F811
    labelled, _ = pretrained
    assert run_check(labelled, tmp_path, 'optim_wrapper.optimizer.lr=1e-12') == 1
    out = capsys.readouterr().out
    assert 'does not fall' in out and 'pretraining check FAILED' in out
    assert 'linear probe on the pretrained backbone: val top-1' in out
    assert 'linear probe on the random backbone: val top-1' in out
    assert (tmp_path / 'pretrain' / 'epoch_2.pth').is_file()


def test_a_label_free_config_without_a_probe_is_refused(pretrained, tmp_path):  # noqa: F811
    labelled, _ = pretrained
    try:
        run_check(labelled, tmp_path, 'sanity_check.probe_config=')
    except InputError as err:
        assert 'probe_config' in str(err)
    else:
        raise AssertionError('no error')
