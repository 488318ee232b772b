from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS

from pyskl_lite import registry


def test_registries_are_scoped_children_of_mmengine_roots():
    pairs = [(registry.DATASETS, MMENGINE_DATASETS), (registry.MODELS, MMENGINE_MODELS),
             (registry.TRANSFORMS, MMENGINE_TRANSFORMS)]
    for child, parent in pairs:
        assert child.parent is parent and child.scope == 'pyskl_lite'
        assert parent.children['pyskl_lite'] is child


def test_mmengine_root_builds_our_classes_through_the_scope(ann_pickle):
    """What the Runner does: build from the root registry with default_scope='pyskl_lite'."""
    from mmengine.registry import DefaultScope

    import pyskl_lite
    pyskl_lite.register_all_modules()
    assert DefaultScope.get_current_instance().scope_name == 'pyskl_lite'
    dataset = MMENGINE_DATASETS.build(dict(type='PoseDataset', ann_file=str(ann_pickle()),
                                           split='train'))
    assert type(dataset) is registry.DATASETS.get('PoseDataset')
    assert MMENGINE_DATASETS.get('pyskl_lite.PoseDataset') is type(dataset)
