"""Exact constants and exact enclosures: what crosses the boundary as text, never as a float."""
import decimal
import math
import numbers
from fractions import Fraction


class DncertError(RuntimeError):
    """The work failed: divergence, I/O, a certificate the independent checker does not confirm."""


class InputError(ValueError):
    """Bad input: the message names the argument (``lam_h: must be a positive rational ...``)."""


def rational_text(value, name):
    """The exact text of a problem constant, as libdncert parses it ("1/250", "0.004", "3").

    Accepted: a string (parsed exactly by the library: "0.004", "4e-3" and "1/250" are all
    1/250; a hexadecimal float "0x1.8p-3" is the double it names), an int, a
    fractions.Fraction, a decimal.Decimal, and a float only when its shortest decimal form
    is its exact value (0.5, 0.25, 3.0): then the float and the decimal typed are the same
    number. Any other float (0.004 is 0.004000000000000000083...) is refused with the exact
    alternatives, because a weight decay given as a float is almost always meant as the
    decimal typed, and silently taking either reading would certify a different problem
    than one of them.
    """
    if isinstance(value, bool):
        raise TypeError("%s: must be a rational (a string such as '1/250', an int, a Fraction), not a bool" % name)
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, Fraction):
        return "%d/%d" % (value.numerator, value.denominator)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise InputError("%s: must be finite (got %s)" % (name, value))
        return str(value)
    if isinstance(value, numbers.Real):
        x = float(value)
        if not math.isfinite(x):
            raise InputError("%s: must be finite (got %r)" % (name, x))
        if Fraction(repr(x)) == Fraction(x):
            return repr(x)
        exact = str(decimal.Decimal(x))
        raise InputError(
            "%s: the float %r is not the number %r (it is %s...), and dncert takes weight decays exactly: "
            "write %s='%r' or Fraction('%r') for %s exactly, or Fraction(%r) for the double itself"
            % (name, x, x, exact[:24], name, x, x, Fraction(repr(x)), x))
    raise TypeError("%s: must be a rational (a string such as '1/250', an int, a Fraction, a Decimal), got %s"
                    % (name, type(value).__name__))


class Enclosure:
    """An exact enclosure lo <= x <= hi of a real number, as libdncert certifies it.

    lo and hi are fractions.Fraction (exact, from the library's exact decimal strings);
    decimal shows only proven digits: every number in [lo, hi] truncates to it, and "..."
    marks the truncation. float(e) is the midpoint rounded to double, for plotting only.
    """

    __slots__ = ("lo", "hi", "decimal", "lo_text", "hi_text")

    def __init__(self, obj):
        self.lo_text, self.hi_text, self.decimal = obj["lo"], obj["hi"], obj["decimal"]
        self.lo, self.hi = Fraction(self.lo_text), Fraction(self.hi_text)

    def __contains__(self, x):
        if isinstance(x, str):
            x = Fraction(x)
        return self.lo <= x <= self.hi

    def __lt__(self, other):
        """Certified order: True only when the enclosures are disjoint with self below."""
        return self.hi < (other.lo if isinstance(other, Enclosure) else Fraction(other))

    def __gt__(self, other):
        return self.lo > (other.hi if isinstance(other, Enclosure) else Fraction(other))

    def __float__(self):
        return float((self.lo + self.hi) / 2)

    @property
    def radius(self):
        return (self.hi - self.lo) / 2

    def __repr__(self):
        return "Enclosure(%s)" % self.decimal

    def __str__(self):
        return self.decimal
