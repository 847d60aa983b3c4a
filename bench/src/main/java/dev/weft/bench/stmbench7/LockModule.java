package dev.weft.bench.stmbench7;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The module under one global {@link ReentrantReadWriteLock}, STMBench7's coarse-grained
 * baseline: plain {@code int} fields, a plain array of slots and a {@link HashMap} index; the
 * read-only operations hold the read lock (so they run side by side), the updates the write lock.
 *
 * <p>Thread-safety: thread-safe; every mutable field is guarded by the lock; workers are per
 * thread.
 */
public final class LockModule implements ModuleWorkload {
    private final Design design;
    private final Lock readLock;
    private final Lock writeLock;
    private final AtomicPart[] parts;
    private final CompositePart[] composites;
    private final BaseAssembly[] baseAssemblies;
    private final ComplexAssembly designRoot;
    private final Map<Integer, AtomicPart> partsById = new HashMap<>(); // filled before publication, then only read

    /** @param design the design to build */
    public LockModule(Design design) {
        this.design = design;
        ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        readLock = lock.readLock();
        writeLock = lock.writeLock();
        parts = new AtomicPart[design.parts()];
        for (int p = 0; p < parts.length; p++) {
            parts[p] = new AtomicPart(p, design.x(p), design.y(p), design.buildDate(p));
        }
        for (AtomicPart part : parts) {
            for (int c = 0; c < Design.CONNECTIONS_PER_PART; c++) {
                part.to[c] = parts[design.connection(part.number, c)];
            }
            partsById.put(design.key(part.number), part);
        }
        composites = new CompositePart[Design.COMPOSITE_PARTS];
        for (int c = 0; c < composites.length; c++) {
            AtomicPart[] own = new AtomicPart[Design.PARTS_PER_COMPOSITE];
            System.arraycopy(parts, Design.firstPart(c), own, 0, own.length);
            composites[c] = new CompositePart(own);
        }
        baseAssemblies = new BaseAssembly[design.baseAssemblies()];
        for (int b = 0; b < baseAssemblies.length; b++) {
            baseAssemblies[b] = new BaseAssembly();
            for (int s = 0; s < Design.COMPONENTS_PER_BASE_ASSEMBLY; s++) {
                baseAssemblies[b].components[s] = composites[design.component(b, s)];
            }
        }
        designRoot = complexAssembly(0);
    }

    private ComplexAssembly complexAssembly(int number) {
        ComplexAssembly assembly = new ComplexAssembly(design.hasBaseAssemblies(number));
        for (int c = 0; c < Design.ASSEMBLIES_PER_ASSEMBLY; c++) {
            if (assembly.hasBaseAssemblies) {
                assembly.baseAssemblies[c] = baseAssemblies[design.child(number, c)];
            } else {
                assembly.subAssemblies[c] = complexAssembly(design.child(number, c));
            }
        }
        return assembly;
    }

    @Override
    public String name() {
        return "ReentrantReadWriteLock, global";
    }

    @Override
    public Design design() {
        return design;
    }

    @Override
    public Worker newWorker() {
        return new LockWorker();
    }

    @Override
    public ModuleState snapshot() {
        ModuleState state = ModuleState.sizedFor(design);
        readLock.lock();
        try {
            for (AtomicPart part : parts) {
                state.x()[part.number] = part.x;
                state.y()[part.number] = part.y;
                state.buildDate()[part.number] = part.buildDate;
            }
            for (int b = 0; b < baseAssemblies.length; b++) {
                for (int s = 0; s < Design.COMPONENTS_PER_BASE_ASSEMBLY; s++) {
                    state.components()[b][s] = baseAssemblies[b].components[s].number;
                }
            }
        } finally {
            readLock.unlock();
        }
        return state;
    }

    private static final class AtomicPart {
        final int number;
        int x;         // guarded by the lock
        int y;         // guarded by the lock
        int buildDate; // guarded by the lock
        final AtomicPart[] to = new AtomicPart[Design.CONNECTIONS_PER_PART];

        AtomicPart(int number, int x, int y, int buildDate) {
            this.number = number;
            this.x = x;
            this.y = y;
            this.buildDate = buildDate;
        }

        void swapXY() {
            int oldX = x;
            x = y;
            y = oldX;
            buildDate = Design.nextBuildDate(buildDate);
        }
    }

    private static final class CompositePart {
        final int number;
        final AtomicPart root;
        final AtomicPart[] parts;

        CompositePart(AtomicPart[] parts) {
            this.number = parts[0].number / Design.PARTS_PER_COMPOSITE;
            this.root = parts[0];
            this.parts = parts;
        }
    }

    private static final class BaseAssembly {
        // the elements are guarded by the lock
        final CompositePart[] components = new CompositePart[Design.COMPONENTS_PER_BASE_ASSEMBLY];
    }

    private static final class ComplexAssembly {
        final boolean hasBaseAssemblies;
        final ComplexAssembly[] subAssemblies;
        final BaseAssembly[] baseAssemblies;

        ComplexAssembly(boolean hasBaseAssemblies) {
            this.hasBaseAssemblies = hasBaseAssemblies;
            subAssemblies = hasBaseAssemblies ? null : new ComplexAssembly[Design.ASSEMBLIES_PER_ASSEMBLY];
            baseAssemblies = hasBaseAssemblies ? new BaseAssembly[Design.ASSEMBLIES_PER_ASSEMBLY] : null;
        }
    }

    private final class LockWorker implements Worker {
        private final VisitMarks marks = new VisitMarks(parts.length);
        private final AtomicPart[] stack = new AtomicPart[Design.PARTS_PER_COMPOSITE];
        private int visits;

        @Override
        public long traverse() {
            readLock.lock();
            try {
                visits = 0;
                return traverse(designRoot);
            } finally {
                readLock.unlock();
            }
        }

        @Override
        public int visits() {
            return visits;
        }

        private long traverse(ComplexAssembly assembly) {
            long sum = 0;
            if (!assembly.hasBaseAssemblies) {
                for (ComplexAssembly sub : assembly.subAssemblies) {
                    sum += traverse(sub);
                }
                return sum;
            }
            for (BaseAssembly base : assembly.baseAssemblies) {
                for (CompositePart component : base.components) {
                    sum += traverseGraph(component);
                }
            }
            return sum;
        }

        private long traverseGraph(CompositePart composite) {
            AtomicPart[] stack = this.stack;
            marks.startWalk();
            marks.visit(composite.root.number);
            stack[0] = composite.root;
            int top = 1;
            long sum = 0;
            while (top > 0) {
                AtomicPart part = stack[--top];
                visits++;
                sum += part.x + part.y;
                for (AtomicPart next : part.to) {
                    if (marks.visit(next.number)) {
                        stack[top++] = next;
                    }
                }
            }
            return sum;
        }

        @Override
        public int lookUpParts(int[] numbers) {
            readLock.lock();
            try {
                int mismatches = 0;
                for (int number : numbers) {
                    AtomicPart part = partsById.get(design.key(number));
                    if (part.x + part.y != design.xPlusY(part.number)) {
                        mismatches++;
                    }
                }
                return mismatches;
            } finally {
                readLock.unlock();
            }
        }

        @Override
        public int readBaseAssembly(int base) {
            readLock.lock();
            try {
                int mismatches = 0;
                for (CompositePart component : baseAssemblies[base].components) {
                    for (AtomicPart part : component.parts) {
                        if (part.x + part.y != design.xPlusY(part.number)) {
                            mismatches++;
                        }
                    }
                }
                return mismatches;
            } finally {
                readLock.unlock();
            }
        }

        @Override
        public void swapPart(int part) {
            writeLock.lock();
            try {
                partsById.get(design.key(part)).swapXY();
            } finally {
                writeLock.unlock();
            }
        }

        @Override
        public void updateComposite(int composite) {
            writeLock.lock();
            try {
                for (AtomicPart part : composites[composite].parts) {
                    part.swapXY();
                }
            } finally {
                writeLock.unlock();
            }
        }

        @Override
        public void exchangeComponents(int base, int slot, int otherBase, int otherSlot) {
            writeLock.lock();
            try {
                CompositePart[] one = baseAssemblies[base].components;
                CompositePart[] other = baseAssemblies[otherBase].components;
                CompositePart held = one[slot];
                one[slot] = other[otherSlot];
                other[otherSlot] = held;
            } finally {
                writeLock.unlock();
            }
        }
    }
}
