"""Pretrain with SimCLR through tools/train.py, then linear-probe / fine-tune from it with the
supervised config: the backbone loads (projection head ignored), a frozen backbone stays
exactly as pretrained (batch-norm statistics included), and a backbone that does not fit is
one error line."""
import pytest
import torch

from pyskl_lite import register_all_modules
from pyskl_lite.apis import load_checkpoint_file
from pyskl_lite.registry import MODELS
from pyskl_lite.structures import ActionDataSample
from pyskl_lite.utils import InputError
from tests.conftest import make_annotations, write_pickle
from tests.tools.load_tool import load_tool
from tests.tools.tiny_setup import REPO

register_all_modules()
train_tool = load_tool('tools/train.py')
FAST = ['train_dataloader.dataset.min_samples=0', 'train_dataloader.batch_size=4',
        'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
        'max_epochs=1', 'clip_len=12']


@pytest.fixture(scope='module')
def pretrained(tmp_path_factory):
    """(labelled pickle, SimCLR checkpoint of one epoch on the same pickle without labels)."""
    folder = tmp_path_factory.mktemp('simclr')
    annotations = make_annotations(num_samples=16, num_classes=2, dim=3, num_joints=25)
    ids = [a['frame_dir'] for a in annotations]
    split = {'xsub_train': ids[:8], 'xsub_val': ids[8:]}
    labelled = write_pickle(folder / 'labelled.pkl', annotations, split)
    bare = write_pickle(folder / 'bare.pkl',
                        [{k: v for k, v in a.items() if k != 'label'} for a in annotations],
                        split)
    work_dir = folder / 'pretrain'
    assert train_tool.main([str(REPO / 'configs' / 'simclr_c3d_keypoint.py'), '--work-dir',
                            str(work_dir), '--cfg-options', f'ann_file={bare}',
                            'joint_layout=nturgb+d', 'num_classes=2', *FAST]) == 0
    return labelled, work_dir / 'epoch_1.pth'


def supervised(labelled, work_dir, *options):
    return train_tool.main([str(REPO / 'configs' / 'c3d_keypoint_3d.py'), '--work-dir',
                            str(work_dir), '--no-validate', '--cfg-options',
                            f'ann_file={labelled}', 'label_map=[a,b]', 'num_classes=2', *FAST,
                            'val_dataloader.num_workers=0', 'test_dataloader.num_workers=0',
                            'val_dataloader.persistent_workers=False',
                            'test_dataloader.persistent_workers=False', *options])


def backbone_state(path):
    return {k: v for k, v in load_checkpoint_file(path)['state_dict'].items()
            if k.startswith('backbone.')}


def test_linear_probe_keeps_the_pretrained_backbone_exactly(pretrained, tmp_path):
    labelled, checkpoint = pretrained
    saved = load_checkpoint_file(checkpoint)
    assert any(k.startswith('projector.') for k in saved['state_dict'])
    assert saved['meta']['in_channels'] == 6
    assert supervised(labelled, tmp_path, f'load_from={checkpoint}',
                      'model.freeze_backbone=True') == 0
    before, after = backbone_state(checkpoint), backbone_state(tmp_path / 'epoch_1.pth')
    assert before.keys() == after.keys() and any('running_mean' in k for k in before)
    for key, value in before.items():
        torch.testing.assert_close(after[key], value, rtol=0, atol=0, msg=key)


def test_fine_tuning_starts_from_the_pretrained_backbone(pretrained, tmp_path):
    labelled, checkpoint = pretrained
    assert supervised(labelled, tmp_path, f'load_from={checkpoint}',
                      'optim_wrapper.optimizer.lr=1e-9',
                      'optim_wrapper.optimizer.weight_decay=0') == 0
    before, after = backbone_state(checkpoint), backbone_state(tmp_path / 'epoch_1.pth')
    weights = [k for k in before if k.endswith('weight')]
    for key in weights:  # lr ~ 0: the weights are the pretrained ones, not a new init
        torch.testing.assert_close(after[key], before[key], rtol=1e-5, atol=1e-6, msg=key)
    assert any(not torch.equal(after[k], before[k]) for k in before if 'running' in k)


def test_a_backbone_that_does_not_fit_is_one_error_line(pretrained, tmp_path):
    labelled, checkpoint = pretrained
    with pytest.raises(InputError, match=r'has shape .* in the checkpoint .*in_channels=6'):
        supervised(labelled, tmp_path / 'j', f'load_from={checkpoint}', 'stream=j')
    with pytest.raises(InputError, match='backbone does not fit'):
        supervised(labelled, tmp_path / 'stages', f'load_from={checkpoint}',
                   'model.backbone.num_stages=2')


def test_a_frozen_backbone_gets_no_update_and_stays_in_eval_mode():
    torch.manual_seed(0)
    model = MODELS.build(dict(type='Recognizer', freeze_backbone=True,
                              backbone=dict(type='KeypointC3D', in_channels=3,
                                            joint_layout='coco', out_joints=1,
                                            base_channels=8, num_stages=2),
                              cls_head=dict(type='ClsHead', num_classes=3, dropout=0.0)))
    model.train()
    assert not model.backbone.training and model.cls_head.training
    before = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5, weight_decay=0.1)
    inputs = torch.randn(4, 1, 3, 8, 17, 2)
    data = [ActionDataSample().set_gt_label(i % 3) for i in range(4)]
    loss = model.loss(inputs, data)['loss_cls']
    loss.backward()
    optimizer.step()
    for key, value in model.state_dict().items():
        if key.startswith('backbone.'):
            assert torch.equal(value, before[key]), key
    assert not torch.equal(model.cls_head.fc.weight, before['cls_head.fc.weight'])
