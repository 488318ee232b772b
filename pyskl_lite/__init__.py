"""pyskl_lite: skeleton-based action recognition on mmengine."""
__version__ = '0.1.0'


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every module that fills the registries and optionally set the default scope.

    Args:
        init_default_scope: make ``pyskl_lite`` mmengine's default registry scope, so that a
            config without ``default_scope`` still resolves ``type='...'`` here. Default True.
    """
    import pyskl_lite.apis  # noqa: F401
    import pyskl_lite.datasets  # noqa: F401
    import pyskl_lite.evaluation  # noqa: F401
    import pyskl_lite.models  # noqa: F401
    import pyskl_lite.visualization  # noqa: F401

    if init_default_scope:
        from mmengine.registry import DefaultScope
        current = DefaultScope.get_current_instance()
        if current is None or current.scope_name != 'pyskl_lite':
            # A new instance name each time makes it the current one again.
            count = len(DefaultScope._instance_dict)
            DefaultScope.get_instance(f'pyskl_lite-{count}', scope_name='pyskl_lite')
