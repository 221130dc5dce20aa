"""nn.transforms: the augmentation transforms (exact values where the result is known) and
their use from a Dataset and a DataLoader."""
import numpy as np
import pytest

import autograd as ag
import nn
from nn import transforms as T
from nn.data import DataLoader, TensorDataset, TransformDataset, random_split


def _img(c=1, h=5, w=5, dtype=np.float32):
    return np.arange(c * h * w, dtype=dtype).reshape(c, h, w) + 1


def test_random_crop_with_padding_is_a_shift():
    img = _img()
    padded = np.pad(img, ((0, 0), (1, 1), (1, 1)))
    ag.manual_seed(0)
    crop = T.RandomCrop(5, padding=1)
    seen = set()
    for _ in range(200):
        out = crop(img)
        assert out.shape == img.shape and out.dtype == img.dtype
        hits = [(i, j) for i in range(3) for j in range(3)
                if np.array_equal(out, padded[:, i:i + 5, j:j + 5])]
        assert len(hits) == 1
        seen.add(hits[0])
    assert seen == {(i, j) for i in range(3) for j in range(3)}  # every shift in [-1, 1]²
    # asymmetric padding (left, top, right, bottom) with a fill value, a crop smaller than the image
    padded = np.pad(img, ((0, 0), (2, 0), (1, 3)), constant_values=7)
    crop = T.RandomCrop((4, 6), padding=(1, 2, 3, 0), fill=7)
    seen = set()
    for _ in range(300):
        out = crop(img)
        hits = [(i, j) for i in range(4) for j in range(4)
                if np.array_equal(out, padded[:, i:i + 4, j:j + 6])]
        assert len(hits) >= 1
        seen.add(hits[0])
    assert len(seen) == 16
    edge = T.RandomCrop((2, 3), padding=(0, 0, 0, 0))(img)
    assert edge.shape == (1, 2, 3)
    refl = T.RandomCrop(5, padding=2, padding_mode="reflect")(img)
    assert set(np.unique(refl)) <= set(np.unique(img))
    assert T.RandomCrop(7, pad_if_needed=True)(img).shape == (1, 7, 7)
    with pytest.raises(ValueError, match="larger than the"):
        T.RandomCrop(7)(img)


def test_flips_and_their_probability():
    img = _img(2, 3, 4)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1)(img), img[..., ::-1])
    np.testing.assert_array_equal(T.RandomVerticalFlip(p=1)(img), img[..., ::-1, :])
    assert T.RandomHorizontalFlip(p=0)(img) is img
    ag.manual_seed(0)
    flips = sum(not np.array_equal(T.RandomHorizontalFlip()(img), img) for _ in range(1000))
    assert 450 < flips < 550
    t = T.RandomHorizontalFlip(p=1)(ag.tensor(img))
    assert isinstance(t, ag.Tensor) and np.array_equal(t.numpy(), img[..., ::-1])
    with pytest.raises(ValueError, match="probability"):
        T.RandomHorizontalFlip(p=2)


def test_rotation_exact_cases():
    img = _img(2, 4, 4)
    for interp in ("nearest", "bilinear"):
        np.testing.assert_array_equal(T.rotate(img, 90, interp), np.rot90(img, 1, axes=(-2, -1)))
        np.testing.assert_array_equal(T.rotate(img, -90, interp), np.rot90(img, -1, axes=(-2, -1)))
        np.testing.assert_array_equal(T.rotate(img, 180, interp), img[..., ::-1, ::-1])
        np.testing.assert_array_equal(T.rotate(img, 0, interp), img)
    odd = _img(1, 5, 5)
    small = T.rotate(odd, 10.0)
    assert small[0, 2, 2] == odd[0, 2, 2]  # the centre stays
    # 45 degrees on a 5x5: the corners come from outside the image and get the fill value
    r45 = T.rotate(odd, 45, fill=-1)
    assert r45[0, 0, 0] == -1 and r45[0, 2, 2] == odd[0, 2, 2]
    # nearest: the pixel at offset (dx, dy) = (2, 0) comes from (cos a 2, sin a 2) = (1.41, 1.41)
    assert r45[0, 2, 4] == odd[0, 2 + 1, 2 + 1]
    np.testing.assert_array_equal(T.rotate(odd, 45, center=[2, 2], fill=-1), r45)
    # bilinear interpolates a linear ramp exactly where every neighbour is inside
    ramp = np.tile(np.arange(7, dtype=np.float64), (7, 1))
    a = np.radians(20)
    got = T.rotate(ramp, 20, "bilinear")
    dy, dx = np.mgrid[-3:4, -3:4]
    want = np.cos(a) * dx - np.sin(a) * dy + 3
    inner = (np.abs(dx) <= 1) & (np.abs(dy) <= 1)
    np.testing.assert_allclose(got[inner], want[inner], atol=1e-12)


def test_random_rotation_draws_in_range():
    img = _img(1, 9, 9)
    ag.manual_seed(0)
    rot = T.RandomRotation(15)
    outs = [rot(img) for _ in range(20)]
    assert all(o.shape == img.shape and o[0, 4, 4] == img[0, 4, 4] for o in outs)
    assert len({o.tobytes() for o in outs}) > 5
    assert np.array_equal(T.RandomRotation((90, 90))(img), np.rot90(img, 1, axes=(-2, -1)))
    with pytest.raises(NotImplementedError, match="expand"):
        T.RandomRotation(10, expand=True)


def test_gaussian_noise_and_normalize():
    ag.manual_seed(0)
    img = np.full((1, 50, 50), 0.5, np.float32)
    noisy = T.GaussianNoise(sigma=0.1)(img)
    assert noisy.dtype == np.float32 and abs(noisy.std() - 0.1) < 0.01 and abs(noisy.mean() - 0.5) < 0.01
    assert T.GaussianNoise(sigma=5.0)(img).min() == 0.0  # clip=True: clipped to [0, 1]
    assert T.GaussianNoise(sigma=5.0, clip=False)(img).min() < -1
    with pytest.raises(TypeError, match="floating-point"):
        T.GaussianNoise()(np.zeros((2, 2), np.int64))
    x = np.stack([np.full((2, 2), 1.0), np.full((2, 2), 3.0)]).astype(np.float32)
    np.testing.assert_allclose(T.Normalize([1.0, 1.0], [1.0, 2.0])(x), [np.zeros((2, 2)), np.ones((2, 2))])


def test_compose_and_errors_on_flat_samples():
    aug = T.Compose([T.RandomHorizontalFlip(p=1), T.Lambda(lambda a: a * 2)])
    img = _img()
    np.testing.assert_array_equal(aug(img), 2 * img[..., ::-1])
    assert "RandomHorizontalFlip" in repr(aug)
    with pytest.raises(ValueError, match=r"reshape flat samples first"):
        T.RandomCrop(8, padding=1)(np.zeros(64))
    assert T.RandomApply([T.Lambda(lambda a: a + 1)], p=0)(img) is img


def test_datasets_apply_the_transform_per_sample_and_per_epoch():
    X = np.stack([_img()[0] * 0 + i for i in range(8)])[:, None].astype(np.float32)  # constant images
    X[:, :, 0, :] = -1  # a top row that shows vertical flips
    y = np.arange(8)
    ds = TensorDataset(X, y, transform=T.RandomVerticalFlip(p=1), target_transform=lambda t: t + 100)
    xb, yb = ds[3]
    np.testing.assert_array_equal(xb.numpy(), X[3, :, ::-1])
    assert yb.item() == 103
    loader = DataLoader(ds, batch_size=4)
    xb, yb = next(iter(loader))
    np.testing.assert_array_equal(xb.numpy(), X[:4, :, ::-1])
    np.testing.assert_array_equal(yb.numpy(), y[:4] + 100)
    assert np.array_equal(ds.arrays[0], X)  # the stored data is unchanged
    # one random draw per sample, new draws every epoch
    ag.manual_seed(0)
    plain = TensorDataset(X, y)
    train, val = random_split(plain, [6, 2], seed=0)
    aug = TransformDataset(train, transform=T.RandomVerticalFlip(p=0.5))
    loader = DataLoader(aug, batch_size=6)
    epochs = [next(iter(loader))[0].numpy()[:, 0, 0, 0] for _ in range(6)]
    assert any(((e == -1).any() and (e != -1).any()) for e in epochs)  # flipped and not, in a batch
    assert len({e.tobytes() for e in epochs}) > 1
    single = aug[0]
    assert isinstance(single, tuple) and single[0].shape == (1, 5, 5)
    assert len(aug) == 6 and len(val) == 2


def test_augmented_training_runs():
    X = np.random.default_rng(0).random((32, 1, 6, 6)).astype(np.float32)
    y = (X[:, 0, :, :3].mean((1, 2)) > X[:, 0, :, 3:].mean((1, 2))).astype(np.int64)
    ds = TensorDataset(X, y, transform=T.Compose([T.RandomCrop(6, padding=1), T.GaussianNoise(sigma=0.02)]))
    model = nn.Sequential(nn.Flatten(), nn.Linear(36, 2))
    ag.manual_seed(0)

    class SGD:
        def __init__(self, params):
            self.params = list(params)

        def zero_grad(self):
            for p in self.params:
                p.grad = None

        def step(self):
            for p in self.params:
                p.array[...] = p.array - 0.5 * p.grad.array

    h = nn.train.fit(model, nn.CrossEntropyLoss(), SGD(model.parameters()),
                     DataLoader(ds, batch_size=8, shuffle=True, seed=0), epochs=3, progress=False)
    assert h.epochs == 3 and np.isfinite(h["loss"]).all()
