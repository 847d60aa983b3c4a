package dev.weft.bench.stmbench7;

import clojure.lang.IPersistentMap;
import clojure.lang.ITransientMap;
import clojure.lang.LockingTransaction;
import clojure.lang.PersistentHashMap;
import clojure.lang.Ref;
import java.util.concurrent.Callable;

/**
 * The module over Clojure 1.12 refs: a {@link Ref} of a boxed {@code Integer} per attribute of an
 * atomic part, a {@code Ref} per base assembly slot, and a {@code Ref} holding a
 * {@link PersistentHashMap} as the index (Clojure has no transactional map; the index is never
 * changed, so the ref is read, never written). Each operation is one {@code LockingTransaction}.
 * Read-only transactions run on Clojure's MVCC history; updates write every ref they read, so
 * write skew (Clojure's snapshot-isolation anomaly) cannot break the invariants and no
 * {@code ensure} is needed.
 *
 * <p>Thread-safety: thread-safe; workers are per thread.
 */
public final class ClojureModule implements ModuleWorkload {
    private final Design design;
    private final AtomicPart[] parts;
    private final CompositePart[] composites;
    private final BaseAssembly[] baseAssemblies;
    private final ComplexAssembly designRoot;
    private final Ref partsById;

    /** @param design the design to build */
    public ClojureModule(Design design) {
        this.design = design;
        parts = new AtomicPart[design.parts()];
        for (int p = 0; p < parts.length; p++) {
            parts[p] = new AtomicPart(p, design.x(p), design.y(p), design.buildDate(p));
        }
        ITransientMap index = PersistentHashMap.EMPTY.asTransient();
        for (AtomicPart part : parts) {
            for (int c = 0; c < Design.CONNECTIONS_PER_PART; c++) {
                part.to[c] = parts[design.connection(part.number, c)];
            }
            index = index.assoc(design.key(part.number), part);
        }
        partsById = new Ref(index.persistent());
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
                baseAssemblies[b].components[s] = new Ref(composites[design.component(b, s)]);
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
        return "Clojure refs";
    }

    @Override
    public Design design() {
        return design;
    }

    @Override
    public Worker newWorker() {
        return new ClojureWorker();
    }

    @Override
    public ModuleState snapshot() {
        ModuleState state = ModuleState.sizedFor(design);
        run(() -> {
            for (AtomicPart part : parts) {
                state.x()[part.number] = (Integer) part.x.deref();
                state.y()[part.number] = (Integer) part.y.deref();
                state.buildDate()[part.number] = (Integer) part.buildDate.deref();
            }
            for (int b = 0; b < baseAssemblies.length; b++) {
                for (int s = 0; s < Design.COMPONENTS_PER_BASE_ASSEMBLY; s++) {
                    state.components()[b][s] = ((CompositePart) baseAssemblies[b].components[s].deref()).number;
                }
            }
            return null;
        });
        return state;
    }

    /** {@code runInTransaction} declares {@code Exception}; a body here throws none of its own. */
    private static Object run(Callable<Object> body) {
        try {
            return LockingTransaction.runInTransaction(body);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("a Clojure transaction failed: " + e, e);
        }
    }

    private static final class AtomicPart {
        final int number;
        final Ref x;
        final Ref y;
        final Ref buildDate;
        final AtomicPart[] to = new AtomicPart[Design.CONNECTIONS_PER_PART];

        AtomicPart(int number, int x, int y, int buildDate) {
            this.number = number;
            this.x = new Ref(x);
            this.y = new Ref(y);
            this.buildDate = new Ref(buildDate);
        }

        void swapXY() {
            Object oldX = x.deref();
            x.set(y.deref());
            y.set(oldX);
            buildDate.set(Design.nextBuildDate((Integer) buildDate.deref()));
        }

        int xPlusY() {
            return (Integer) x.deref() + (Integer) y.deref();
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
        final Ref[] components = new Ref[Design.COMPONENTS_PER_BASE_ASSEMBLY];
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

    /** Bodies built once, arguments in fields, as in {@link WeftModule}. */
    private final class ClojureWorker implements Worker {
        private final Callable<Object> traverseBody = this::traverseOnce;
        private final Callable<Object> lookUpBody = this::lookUpOnce;
        private final Callable<Object> readBaseBody = this::readBaseOnce;
        private final Callable<Object> swapPartBody = this::swapPartOnce;
        private final Callable<Object> updateCompositeBody = this::updateCompositeOnce;
        private final Callable<Object> exchangeBody = this::exchangeOnce;
        private final VisitMarks marks = new VisitMarks(parts.length);
        private final AtomicPart[] stack = new AtomicPart[Design.PARTS_PER_COMPOSITE];
        private int visits;
        private int[] lookUps;
        private int target; // the part of swapPart, the composite of updateComposite
        private int base;
        private int slot;
        private int otherBase;
        private int otherSlot;

        @Override
        public long traverse() {
            return (Long) run(traverseBody);
        }

        @Override
        public int visits() {
            return visits;
        }

        @Override
        public int lookUpParts(int[] parts) {
            lookUps = parts;
            return (Integer) run(lookUpBody);
        }

        @Override
        public int readBaseAssembly(int base) {
            this.base = base;
            return (Integer) run(readBaseBody);
        }

        @Override
        public void swapPart(int part) {
            target = part;
            run(swapPartBody);
        }

        @Override
        public void updateComposite(int composite) {
            target = composite;
            run(updateCompositeBody);
        }

        @Override
        public void exchangeComponents(int base, int slot, int otherBase, int otherSlot) {
            this.base = base;
            this.slot = slot;
            this.otherBase = otherBase;
            this.otherSlot = otherSlot;
            run(exchangeBody);
        }

        private Object traverseOnce() {
            visits = 0;
            return traverse(designRoot);
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
                for (Ref component : base.components) {
                    sum += traverseGraph((CompositePart) component.deref());
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
                sum += part.xPlusY();
                for (AtomicPart next : part.to) {
                    if (marks.visit(next.number)) {
                        stack[top++] = next;
                    }
                }
            }
            return sum;
        }

        private Object lookUpOnce() {
            IPersistentMap index = (IPersistentMap) partsById.deref();
            int mismatches = 0;
            for (int number : lookUps) {
                AtomicPart part = (AtomicPart) index.valAt(design.key(number));
                if (part.xPlusY() != design.xPlusY(part.number)) {
                    mismatches++;
                }
            }
            return mismatches;
        }

        private Object readBaseOnce() {
            int mismatches = 0;
            for (Ref component : baseAssemblies[base].components) {
                for (AtomicPart part : ((CompositePart) component.deref()).parts) {
                    if (part.xPlusY() != design.xPlusY(part.number)) {
                        mismatches++;
                    }
                }
            }
            return mismatches;
        }

        private Object swapPartOnce() {
            ((AtomicPart) ((IPersistentMap) partsById.deref()).valAt(design.key(target))).swapXY();
            return null;
        }

        private Object updateCompositeOnce() {
            for (AtomicPart part : composites[target].parts) {
                part.swapXY();
            }
            return null;
        }

        private Object exchangeOnce() {
            Ref one = baseAssemblies[base].components[slot];
            Ref other = baseAssemblies[otherBase].components[otherSlot];
            Object held = one.deref();
            one.set(other.deref());
            other.set(held);
            return null;
        }
    }
}
