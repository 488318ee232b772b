import pytest
import torch
import torch.nn.functional as F
from mmengine.dataset import pseudo_collate

from pyskl_lite.models.recognizers import ActionDataPreprocessor, Recognizer
from pyskl_lite.structures.action_data_sample import ActionDataSample

NUM_CLASSES = 4


def tiny_recognizer(**test_cfg) -> Recognizer:
    torch.manual_seed(0)
    return Recognizer(
        backbone=dict(type='LSTMBackbone', hidden_size=6, num_layers=1, embed_channels=8),
        cls_head=dict(type='ClsHead', num_classes=NUM_CLASSES, in_channels=12, dropout=0.0,
                      init_std=0.5),
        test_cfg=test_cfg or None)


def packed_batch(batch: int = 3, views: int = 5, seed: int = 0) -> list[dict]:
    """What PackSkeletonInputs yields for NMTVC keypoints: inputs (num_views, M, T, V, C)."""
    generator = torch.Generator().manual_seed(seed)
    return [{'inputs': torch.randn(views, 2, 6, 17, 3, generator=generator),
             'data_samples': ActionDataSample().set_gt_label(i % NUM_CLASSES)}
            for i in range(batch)]


def test_preprocessor_stacks_views_and_keeps_samples():
    data = ActionDataPreprocessor()(pseudo_collate(packed_batch(batch=2, views=3)))
    assert data['inputs'].shape == (2, 3, 2, 6, 17, 3) and data['inputs'].dtype == torch.float32
    assert [s.gt_label.item() for s in data['data_samples']] == [0, 1]


def test_preprocessor_names_mismatched_sample_shapes():
    batch = packed_batch(batch=2, views=2)
    batch[1]['inputs'] = batch[1]['inputs'][:, :, :4]
    with pytest.raises(ValueError, match=r'\(2, 2, 4, 17, 3\)'):
        ActionDataPreprocessor()(pseudo_collate(batch))


@pytest.mark.parametrize('average', ['prob', 'score'])
def test_predict_averages_the_views_of_each_sample(average):
    model = tiny_recognizer(average_clips=average).eval()
    data = model.data_preprocessor(pseudo_collate(packed_batch()))
    with torch.no_grad():
        logits = model(data['inputs'], mode='tensor')  # (B, views, classes)
        samples = model(**data, mode='predict')
    assert logits.shape == (3, 5, NUM_CLASSES)
    per_view = F.softmax(logits, dim=2) if average == 'prob' else logits
    for index, sample in enumerate(samples):
        torch.testing.assert_close(sample.pred_score, per_view[index].mean(0))
        assert sample.pred_label.item() == per_view[index].mean(0).argmax().item()
        assert sample.gt_label.item() == index % NUM_CLASSES
        # Both view averages travel with every sample (for ensembles of either kind).
        torch.testing.assert_close(sample.pred_prob, F.softmax(logits[index], dim=1).mean(0))
        torch.testing.assert_close(sample.pred_logit, logits[index].mean(0))
        assert sample.score_kind == average
    if average == 'prob':
        sums = torch.stack([s.pred_score.sum() for s in samples])
        torch.testing.assert_close(sums, torch.ones(3))


def test_prob_and_score_averaging_differ():
    data = pseudo_collate(packed_batch())
    results = {}
    for average in ('prob', 'score'):
        model = tiny_recognizer(average_clips=average).eval()
        results[average] = model.test_step(data)[0].pred_score
    assert not torch.allclose(results['prob'], results['score'])


@pytest.mark.parametrize('max_views', [1, 2, 5, 9])
def test_max_testing_views_gives_the_unbounded_result(max_views):
    data = pseudo_collate(packed_batch(views=5))
    unbounded = tiny_recognizer().eval().test_step(data)
    bounded = tiny_recognizer(max_testing_views=max_views).eval().test_step(data)
    for a, b in zip(unbounded, bounded, strict=True):
        torch.testing.assert_close(a.pred_score, b.pred_score)


def test_average_none_keeps_a_single_view_and_refuses_several():
    model = tiny_recognizer(average_clips=None).eval()
    single = model.test_step(pseudo_collate(packed_batch(views=1)))
    data = model.data_preprocessor(pseudo_collate(packed_batch(views=1)))
    with torch.no_grad():
        logits = model(data['inputs'])
    torch.testing.assert_close(single[0].pred_score, logits[0, 0])
    with pytest.raises(ValueError, match='one view'):
        model.test_step(pseudo_collate(packed_batch(views=2)))


def test_loss_covers_every_view_with_its_sample_label():
    model = tiny_recognizer()
    data = model.data_preprocessor(pseudo_collate(packed_batch(batch=2, views=3)), True)
    model.eval()  # same BN statistics for both computations
    losses = model(**data, mode='loss')
    logits = model(data['inputs'])
    expected = F.cross_entropy(logits.flatten(0, 1), torch.tensor([0, 0, 0, 1, 1, 1]))
    torch.testing.assert_close(losses['loss_cls'], expected)
    assert 0 <= losses['top1_acc'].item() <= 1


def test_train_step_with_several_views_updates_the_weights():
    from mmengine.optim import OptimWrapper
    model = tiny_recognizer()
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    before = model.cls_head.fc.weight.detach().clone()
    log_vars = model.train_step(pseudo_collate(packed_batch(batch=4, views=2)), wrapper)
    assert set(log_vars) >= {'loss', 'loss_cls', 'top1_acc'}
    assert not torch.equal(before, model.cls_head.fc.weight)


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match='average_clips'):
        tiny_recognizer(average_clips='mean')
    with pytest.raises(ValueError, match='unknown test_cfg'):
        tiny_recognizer(average='prob')
    with pytest.raises(ValueError, match='mode'):
        tiny_recognizer()(torch.zeros(1, 1, 2, 6, 17, 3), mode='train')
