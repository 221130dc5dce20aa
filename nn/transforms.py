"""Data augmentation for images, with torchvision's names: new training images made from
the old ones by changes that keep the label (the notes, 004 "Data augmentation").

    from nn import transforms as T
    from nn.data import TensorDataset, DataLoader
    augment = T.Compose([T.RandomCrop(8, padding=1),          # shifts of up to 1 pixel
                         T.RandomRotation(10),                # -10 to 10 degrees
                         T.GaussianNoise(sigma=0.05, clip=False)])
    train_set = TensorDataset(X_train, y_train, transform=augment)   # X: (N, C, H, W)
    loader = DataLoader(train_set, batch_size=64, shuffle=True)      # new draws every epoch

Every transform takes one image, a numpy array or a Tensor of shape (..., H, W) (CHW or
HW), and returns the same kind, with the same dtype. Random transforms draw from the
library's generator (``ag.manual_seed`` makes the augmentation reproducible), one set
of parameters per call, so every image of a batch gets its own shift, flip or angle.
Apply augmentation to the training set only: the validation and test sets measure the
model on the data as it is.
"""
import functools
import math
import numbers

import numpy as np

import autograd as ag

__all__ = ["Compose", "RandomApply", "Lambda", "RandomCrop", "RandomHorizontalFlip",
           "RandomVerticalFlip", "RandomRotation", "GaussianNoise", "Normalize", "rotate"]


def _rng():
    return ag.random.generator()


def _unwrap(img):
    """(array, rewrap): the image as a numpy array and how to give it back."""
    if isinstance(img, ag.Tensor):
        arr, wrap = img.array, ag.Tensor
    else:
        arr, wrap = np.asarray(img), (lambda a: a)
    _check_image(arr, "an image transform")
    return arr, wrap


def _check_image(arr, name):
    if arr.ndim < 2:
        raise ValueError(f"{name} needs an image of shape (..., H, W), got shape {arr.shape}; "
                         "reshape flat samples first, e.g. X.reshape(-1, 1, 8, 8)")


def _check_p(p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
    return float(p)


class Compose:
    """Apply ``transforms`` one after the other."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        inner = "".join(f"\n    {t!r}," for t in self.transforms)
        return f"Compose([{inner}\n])"


class RandomApply:
    """Apply the list ``transforms`` (as one Compose) with probability ``p``."""

    def __init__(self, transforms, p=0.5):
        self.transforms, self.p = Compose(transforms), _check_p(p)

    def __call__(self, img):
        return self.transforms(img) if _rng().random() < self.p else img

    def __repr__(self):
        return f"RandomApply(p={self.p}, {self.transforms!r})"


class Lambda:
    """A user function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Lambda needs a callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"Lambda({getattr(self.lambd, '__name__', self.lambd)!r})"


def _pair(size, name):
    if isinstance(size, numbers.Integral):
        return int(size), int(size)
    if len(size) == 1:
        return int(size[0]), int(size[0])
    if len(size) != 2:
        raise ValueError(f"{name} must be an int or (h, w), got {size!r}")
    return int(size[0]), int(size[1])


def _padding(padding):
    """torchvision's padding: int (all sides), (lr, tb) or (left, top, right, bottom)."""
    if padding is None:
        return 0, 0, 0, 0
    if isinstance(padding, numbers.Integral):
        return (int(padding),) * 4
    padding = tuple(int(p) for p in padding)
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    if len(padding) == 4:
        return padding
    raise ValueError(f"padding must be an int, (lr, tb) or (left, top, right, bottom), got {padding!r}")


class RandomCrop:
    """Crop a random ``size`` (h, w) window, after padding the borders by ``padding``.

    With ``size`` equal to the image size and ``padding=k`` this is a random shift by up to
    k pixels in each direction, the border filled by ``padding_mode``: ``"constant"``
    (the value ``fill``), ``"edge"``, ``"reflect"`` or ``"symmetric"`` (numpy's names,
    which are torchvision's). ``pad_if_needed`` pads an image smaller than ``size``.
    """

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = _pair(size, "size")
        self.padding = _padding(padding)
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("padding_mode must be 'constant', 'edge', 'reflect' or 'symmetric', "
                             f"got {padding_mode!r}")
        self.pad_if_needed, self.fill, self.padding_mode = pad_if_needed, fill, padding_mode

    def _pad(self, arr, left, top, right, bottom):
        widths = [(0, 0)] * (arr.ndim - 2) + [(top, bottom), (left, right)]
        if self.padding_mode == "constant":
            return np.pad(arr, widths, mode="constant", constant_values=self.fill)
        return np.pad(arr, widths, mode=self.padding_mode)

    def __call__(self, img):
        arr, wrap = _unwrap(img)
        left, top, right, bottom = self.padding
        h, w = self.size
        H, W = arr.shape[-2] + top + bottom, arr.shape[-1] + left + right
        if self.pad_if_needed and (H < h or W < w):
            dh, dw = max(h - H, 0), max(w - W, 0)
            left, top, right, bottom = left + dw, top + dh, right + dw, bottom + dh
            H, W = H + 2 * dh, W + 2 * dw
        if H < h or W < w:
            raise ValueError(f"RandomCrop: the crop size {(h, w)} is larger than the (padded) "
                             f"image {(H, W)}; pass pad_if_needed=True or a smaller size")
        rng = _rng()
        i, j = int(rng.integers(H - h + 1)), int(rng.integers(W - w + 1))
        if self.padding_mode != "constant":
            padded = self._pad(arr, left, top, right, bottom)
            return wrap(np.ascontiguousarray(padded[..., i:i + h, j:j + w]))
        # NOTE: constant padding without building the padded image: the window's overlap
        # with the image is copied into a filled output (np.pad costs 10x more on 8x8).
        out = np.full(arr.shape[:-2] + (h, w), self.fill, arr.dtype)
        r0, r1 = max(i, top), min(i + h, top + arr.shape[-2])
        c0, c1 = max(j, left), min(j + w, left + arr.shape[-1])
        if r0 < r1 and c0 < c1:
            out[..., r0 - i:r1 - i, c0 - j:c1 - j] = arr[..., r0 - top:r1 - top, c0 - left:c1 - left]
        return wrap(out)

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.padding}, padding_mode={self.padding_mode!r})"


class RandomHorizontalFlip:
    """Mirror the image left-right (the last axis) with probability ``p``. Only for data
    whose labels survive a mirror: a car, yes; the digit 3, no."""

    axis = -1

    def __init__(self, p=0.5):
        self.p = _check_p(p)

    def __call__(self, img):
        arr, wrap = _unwrap(img)
        if _rng().random() < self.p:
            return wrap(np.ascontiguousarray(np.flip(arr, axis=self.axis)))
        return img

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror the image upside down (axis -2) with probability ``p``."""

    axis = -2


class RandomRotation:
    """Rotate by an angle drawn uniformly from ``degrees`` (a number d means (-d, d)),
    counter-clockwise for positive angles, about the image centre ``((W-1)/2, (H-1)/2)``
    or ``center=(x, y)``; pixels from outside the image get ``fill``.

    Each output pixel at offset (dx, dy) from the centre (y pointing down) takes the
    input at (cos a dx - sin a dy, sin a dx + cos a dy), read by ``interpolation``:
    ``"nearest"`` (torchvision's default) or ``"bilinear"``. A rotation by 90 degrees
    is ``np.rot90`` exactly. ``expand=True`` is not supported.
    """

    def __init__(self, degrees, interpolation="nearest", expand=False, center=None, fill=0):
        if isinstance(degrees, numbers.Number):
            if degrees < 0:
                raise ValueError(f"degrees as a single number must be non-negative, got {degrees}")
            degrees = (-float(degrees), float(degrees))
        self.degrees = tuple(float(d) for d in degrees)
        if len(self.degrees) != 2 or self.degrees[0] > self.degrees[1]:
            raise ValueError(f"degrees must be a number or (min, max), got {degrees!r}")
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"interpolation must be 'nearest' or 'bilinear', got {interpolation!r}")
        if expand:
            raise NotImplementedError("RandomRotation(expand=True) is not supported: the output "
                                      "keeps the input's size")
        self.interpolation, self.center, self.fill = interpolation, center, fill

    def __call__(self, img):
        arr, wrap = _unwrap(img)
        angle = float(_rng().uniform(*self.degrees))
        return wrap(rotate(arr, angle, self.interpolation, self.center, self.fill))

    def __repr__(self):
        return f"RandomRotation(degrees={self.degrees}, interpolation={self.interpolation!r})"


@functools.lru_cache(maxsize=16)
def _offsets(H, W, cx, cy):
    """Every pixel's offset (dy, dx) from the centre, cached per image size."""
    return np.meshgrid(np.arange(H) - cy, np.arange(W) - cx, indexing="ij")


def rotate(arr, angle, interpolation="nearest", center=None, fill=0):
    """``arr`` (..., H, W) rotated by ``angle`` degrees counter-clockwise (see RandomRotation)."""
    _check_image(arr, "rotate")
    H, W = arr.shape[-2:]
    cx, cy = ((W - 1) / 2, (H - 1) / 2) if center is None else (float(center[0]), float(center[1]))
    a = math.radians(angle)
    c, s = math.cos(a), math.sin(a)
    if abs(c) < 1e-12:  # NOTE: exact zeros at multiples of 90 degrees, so they are exact
        c = 0.0
    if abs(s) < 1e-12:
        s = 0.0
    dy, dx = _offsets(H, W, cx, cy)
    x_in, y_in = c * dx - s * dy + cx, s * dx + c * dy + cy
    if interpolation == "nearest":
        xi, yi = np.rint(x_in).astype(np.int64), np.rint(y_in).astype(np.int64)
        inside = (xi >= 0) & (xi < W) & (yi >= 0) & (yi < H)
        out = arr[..., np.clip(yi, 0, H - 1), np.clip(xi, 0, W - 1)]
        return np.where(inside, out, np.asarray(fill, arr.dtype)).astype(arr.dtype, copy=False)
    x0, y0 = np.floor(x_in).astype(np.int64), np.floor(y_in).astype(np.int64)
    fx, fy = x_in - x0, y_in - y0
    out = np.zeros(arr.shape, np.float64)
    for yy, xx, wgt in ((y0, x0, (1 - fy) * (1 - fx)), (y0, x0 + 1, (1 - fy) * fx),
                        (y0 + 1, x0, fy * (1 - fx)), (y0 + 1, x0 + 1, fy * fx)):
        inside = (xx >= 0) & (xx < W) & (yy >= 0) & (yy < H)
        vals = np.where(inside, arr[..., np.clip(yy, 0, H - 1), np.clip(xx, 0, W - 1)], fill)
        out += wgt * vals
    return out.astype(arr.dtype, copy=False)


class GaussianNoise:
    """Add Gaussian noise N(mean, sigma²) to every pixel (torchvision.transforms.v2's
    GaussianNoise); ``clip=True`` then clips to [0, 1], the range of torchvision's
    float images. Pass ``clip=False`` for standardised data."""

    def __init__(self, mean=0.0, sigma=0.1, clip=True):
        if sigma < 0:
            raise ValueError(f"sigma must be non-negative, got {sigma}")
        self.mean, self.sigma, self.clip = float(mean), float(sigma), bool(clip)

    def __call__(self, img):
        arr, wrap = _unwrap(img)
        if arr.dtype.kind != "f":
            raise TypeError(f"GaussianNoise needs a floating-point image, got dtype {arr.dtype}")
        out = arr + (self.mean + self.sigma * _rng().standard_normal(arr.shape)).astype(arr.dtype)
        if self.clip:
            out = np.clip(out, 0.0, 1.0)
        return wrap(out)

    def __repr__(self):
        return f"GaussianNoise(mean={self.mean}, sigma={self.sigma}, clip={self.clip})"


class Normalize:
    """(x - mean[c]) / std[c] for every channel c (axis -3), torchvision's Normalize."""

    def __init__(self, mean, std):
        self.mean, self.std = np.asarray(mean, np.float64), np.asarray(std, np.float64)
        if np.any(self.std == 0):
            raise ValueError(f"Normalize: std must be non-zero, got {std}")

    def __call__(self, img):
        arr, wrap = _unwrap(img)
        shape = (-1, 1, 1)
        out = (arr - self.mean.reshape(shape)) / self.std.reshape(shape)
        return wrap(out.astype(arr.dtype if arr.dtype.kind == "f" else np.float32, copy=False))

    def __repr__(self):
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"
