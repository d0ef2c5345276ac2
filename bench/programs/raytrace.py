# raytrace: cast one ray per pixel into a scene of spheres and a light,
# with diffuse shading, shadows and one reflection, and print the picture
# in ten shades of ASCII; vector classes with operator methods (__add__,
# __sub__, __mul__), many short-lived objects, float arithmetic.
# test: 10
# compare: 100
import sys
from math import sqrt

SHADES = " .:-=+*#%@"


class Vector:
    def __init__(self, x, y, z):
        self.x = x
        self.y = y
        self.z = z

    def __add__(self, other):
        return Vector(self.x + other.x, self.y + other.y, self.z + other.z)

    def __sub__(self, other):
        return Vector(self.x - other.x, self.y - other.y, self.z - other.z)

    def __mul__(self, k):
        return Vector(self.x * k, self.y * k, self.z * k)

    def dot(self, other):
        return self.x * other.x + self.y * other.y + self.z * other.z

    def normalized(self):
        return self * (1.0 / sqrt(self.dot(self)))


class Ray:
    def __init__(self, origin, direction):
        self.origin = origin
        self.direction = direction.normalized()

    def at(self, t):
        return self.origin + self.direction * t


class Sphere:
    def __init__(self, center, radius, reflect):
        self.center = center
        self.radius = radius
        self.reflect = reflect

    def hit(self, ray):
        """The distance along ray to the nearest hit in front of it, or None."""
        oc = ray.origin - self.center
        b = oc.dot(ray.direction)
        c = oc.dot(oc) - self.radius * self.radius
        disc = b * b - c
        if disc < 0:
            return None
        root = sqrt(disc)
        t = -b - root
        if t > 1e-6:
            return t
        t = -b + root
        if t > 1e-6:
            return t
        return None

    def normal_at(self, p):
        return (p - self.center).normalized()


class Scene:
    def __init__(self):
        self.spheres = [
            Sphere(Vector(0.0, -1000.5, 3.0), 1000.0, 0.2),
            Sphere(Vector(0.0, 0.0, 3.0), 0.5, 0.5),
            Sphere(Vector(-1.0, 0.1, 4.0), 0.6, 0.0),
            Sphere(Vector(1.1, -0.1, 3.5), 0.4, 0.3),
        ]
        self.light = Vector(-2.0, 4.0, -1.0)

    def nearest(self, ray):
        best = None
        best_t = 0.0
        for s in self.spheres:
            t = s.hit(ray)
            if t is not None and (best is None or t < best_t):
                best = s
                best_t = t
        return best, best_t

    def trace(self, ray, depth):
        sphere, t = self.nearest(ray)
        if sphere is None:
            return 0.05
        p = ray.at(t)
        n = sphere.normal_at(p)
        to_light = (self.light - p).normalized()
        shadow, _ = self.nearest(Ray(p, to_light))
        diffuse = 0.0 if shadow is not None else max(0.0, n.dot(to_light))
        color = 0.1 + 0.9 * diffuse
        if depth > 0 and sphere.reflect > 0:
            d = ray.direction
            r = d - n * (2 * d.dot(n))
            color = color * (1 - sphere.reflect) + self.trace(Ray(p, r), depth - 1) * sphere.reflect
        return color


def render(width, height):
    scene = Scene()
    eye = Vector(0.0, 0.0, 0.0)
    rows = []
    total = 0.0
    for j in range(height):
        row = []
        for i in range(width):
            x = (i + 0.5) / width * 2 - 1
            y = 1 - (j + 0.5) / height * 2
            c = scene.trace(Ray(eye, Vector(x, y * height / width * 2, 1.5)), 2)
            total += c
            row.append(SHADES[min(9, int(c * 10))])
        rows.append("".join(row))
    return rows, total


def bench(n):
    rows, total = render(2 * n, n)
    return "\n".join(rows) + f"\nbrightness {total:.6f}"


if __name__ == "__main__":
    print(bench(int(sys.argv[1]) if len(sys.argv) > 1 else 150))
