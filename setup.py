"""Install pyskl_lite: ``pip install -e .`` (runtime), ``.[test]``, ``.[pose]``, ``.[serve]``.

torch is pinned to the release whose CPU wheel lies on the reference machine's disk. A GPU user
installs the CUDA build of the same release first (``pip install torch==2.13.0 --index-url
<their CUDA index>``); ``==2.13.0`` accepts the ``+cuXXX`` local build, so pip keeps it.

``[pose]``: mediapipe 0.10.14 is the last release with its pose models inside the wheel (newer
ones download them at run time); it pins protobuf < 5. tensorboard 2.21 needs protobuf >= 6.31;
2.20 accepts protobuf 4.25, but its command line imports ``pkg_resources``, which setuptools
dropped in 81. Hence the three pins beside it: TensorBoard and offline pose in one environment.
``[serve]``: the web app of ``tools/serve.py`` (needs ``[pose]`` too).
"""
from setuptools import find_packages, setup

TORCH = 'torch==2.13.0'

INSTALL_REQUIRES = [
    TORCH,
    'mmengine==0.10.7',
    'mmcv-lite>=2.0.0,<2.3',
    'numpy>=1.24',
    'scipy>=1.10',
    'pandas>=2.0',
    'tensorboard>=2.14',
    'decord>=0.6.0',
    'matplotlib>=3.7',
    'opencv-python>=4.8',
    'tqdm>=4.60',
    'pillow>=9.0',
]

EXTRAS_REQUIRE = {
    'test': ['pytest>=7.4', 'pytest-timeout>=2.2', 'scikit-learn>=1.3', 'ruff>=0.5', 'pyyaml>=6.0',
             'hypothesis>=6.100', 'playwright>=1.40'],
    'pose': ['mediapipe==0.10.14', 'protobuf>=4.25.3,<5', 'tensorboard>=2.14,<2.21',
             'setuptools<81'],
    'serve': ['fastapi>=0.110', 'uvicorn>=0.29'],
}

setup(
    name='pyskl_lite',
    version='0.1.0',
    description='Skeleton-based action recognition: PoseConv3D heatmaps, keypoint C3D, LSTM, '
                'ST-GCN++',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    python_requires='>=3.10',
    packages=find_packages(include=['pyskl_lite', 'pyskl_lite.*']),
    package_data={'pyskl_lite.webapp': ['static/*']},
    install_requires=INSTALL_REQUIRES,
    extras_require=EXTRAS_REQUIRE,
    license='Apache-2.0',
)
