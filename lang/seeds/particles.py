# A class-heavy program: vectors with operators, particles in a box with
# inheritance and super(), sorting by __lt__, instances as dict keys.
# CPython prints the same (particles.expected was made by python3).


class Vector:
    def __init__(self, x=0.0, y=0.0):
        self.x = x
        self.y = y

    def __add__(self, o):
        return Vector(self.x + o.x, self.y + o.y)

    def __sub__(self, o):
        return Vector(self.x - o.x, self.y - o.y)

    def __mul__(self, k):
        return Vector(self.x * k, self.y * k)

    def __rmul__(self, k):
        return self * k

    def __eq__(self, o):
        return isinstance(o, Vector) and self.x == o.x and self.y == o.y

    def __hash__(self):
        return int(self.x * 1000) * 31 + int(self.y * 1000)

    def dot(self, o):
        return self.x * o.x + self.y * o.y

    def __repr__(self):
        return f"Vector({self.x:.3f}, {self.y:.3f})"


class Particle:
    created = 0

    def __init__(self, name, pos, vel, mass=1.0):
        self.name = name
        self.pos = pos
        self.vel = vel
        self.mass = mass
        self.bounces = 0
        Particle.created += 1

    def step(self, dt, size):
        self.pos = self.pos + dt * self.vel
        if self.pos.x < 0 or self.pos.x > size:
            self.vel = Vector(-self.vel.x, self.vel.y)
            self.bounces += 1
        if self.pos.y < 0 or self.pos.y > size:
            self.vel = Vector(self.vel.x, -self.vel.y)
            self.bounces += 1

    def energy(self):
        return 0.5 * self.mass * self.vel.dot(self.vel)

    def kind(self):
        return "particle"

    def __lt__(self, other):
        return self.energy() < other.energy()

    def __str__(self):
        return f"{self.kind()} {self.name} at {self.pos!r} e={self.energy():.4f} b={self.bounces}"


class Heavy(Particle):
    def __init__(self, name, pos, vel):
        super().__init__(name, pos, vel, mass=5.0)
        self.trail = []

    def step(self, dt, size):
        super().step(dt, size)
        self.trail.append(self.pos)
        if len(self.trail) > 3:
            self.trail.pop(0)

    def kind(self):
        return "heavy " + super().kind()


class Box:
    def __init__(self, size):
        self.size = size
        self.items = []

    def add(self, p):
        self.items.append(p)
        return self

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]

    def run(self, steps, dt):
        for _ in range(steps):
            for p in self.items:
                p.step(dt, self.size)

    def total_energy(self):
        return sum(p.energy() for p in self.items)


box = Box(10.0)
for i in range(6):
    v = Vector(0.5 + i * 0.25, 1.0 - i * 0.3)
    if i % 3 == 0:
        box.add(Heavy(f"h{i}", Vector(i * 1.5, 2.0), v))
    else:
        box.add(Particle(f"p{i}", Vector(i * 1.5, 2.0), v))

print(len(box), Particle.created, box[0].kind(), isinstance(box[0], Particle))
e0 = box.total_energy()
box.run(200, 0.1)
for p in sorted(box.items):
    print(p)
print(f"energy {e0:.6f} -> {box.total_energy():.6f}")
print("trail", box[0].trail)
seen = {}
for p in box.items:
    key = Vector(round(p.vel.x, 2), round(p.vel.y, 2))
    seen[key] = seen.get(key, 0) + 1
print(len(seen), Vector(1, 2) == Vector(1, 2), Vector(1, 2) != Vector(2, 1))
fastest = max(box.items)
print("fastest", fastest.name, "heavy" if isinstance(fastest, Heavy) else "light")
