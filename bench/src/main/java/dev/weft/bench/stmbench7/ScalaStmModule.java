package dev.weft.bench.stmbench7;

import java.util.concurrent.Callable;
import scala.concurrent.stm.Ref;
import scala.concurrent.stm.TMap;
import scala.concurrent.stm.japi.STM;

/**
 * The module over ScalaSTM 0.11 through its Java API ({@code japi.STM}): a boxed
 * {@code Ref.View<Integer>} per attribute of an atomic part (the Java API has no primitive refs),
 * a {@code Ref.View} per base assembly slot, and ScalaSTM's {@code TMap.View} as the index. Each
 * operation is one {@code STM.atomic} block.
 *
 * <p>Thread-safety: thread-safe; workers are per thread.
 */
public final class ScalaStmModule implements ModuleWorkload {
    private final Design design;
    private final AtomicPart[] parts;
    private final CompositePart[] composites;
    private final BaseAssembly[] baseAssemblies;
    private final ComplexAssembly designRoot;
    private final TMap.View<Integer, AtomicPart> partsById = STM.newTMap();

    /** @param design the design to build */
    public ScalaStmModule(Design design) {
        this.design = design;
        parts = new AtomicPart[design.parts()];
        for (int p = 0; p < parts.length; p++) {
            parts[p] = new AtomicPart(p, design.x(p), design.y(p), design.buildDate(p));
        }
        for (AtomicPart part : parts) {
            for (int c = 0; c < Design.CONNECTIONS_PER_PART; c++) {
                part.to[c] = parts[design.connection(part.number, c)];
            }
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
                baseAssemblies[b].components[s] = STM.newRef(composites[design.component(b, s)]);
            }
        }
        designRoot = complexAssembly(0);
        STM.atomic(() -> {
            for (AtomicPart part : parts) {
                partsById.put(design.key(part.number), part);
            }
        });
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
        return "ScalaSTM";
    }

    @Override
    public Design design() {
        return design;
    }

    @Override
    public Worker newWorker() {
        return new ScalaStmWorker();
    }

    @Override
    public ModuleState snapshot() {
        ModuleState state = ModuleState.sizedFor(design);
        STM.atomic(() -> {
            for (AtomicPart part : parts) {
                state.x()[part.number] = part.x.get();
                state.y()[part.number] = part.y.get();
                state.buildDate()[part.number] = part.buildDate.get();
            }
            for (int b = 0; b < baseAssemblies.length; b++) {
                for (int s = 0; s < Design.COMPONENTS_PER_BASE_ASSEMBLY; s++) {
                    state.components()[b][s] = baseAssemblies[b].components[s].get().number;
                }
            }
        });
        return state;
    }

    private static final class AtomicPart {
        final int number;
        final Ref.View<Integer> x;
        final Ref.View<Integer> y;
        final Ref.View<Integer> buildDate;
        final AtomicPart[] to = new AtomicPart[Design.CONNECTIONS_PER_PART];

        AtomicPart(int number, int x, int y, int buildDate) {
            this.number = number;
            this.x = STM.newRef(x);
            this.y = STM.newRef(y);
            this.buildDate = STM.newRef(buildDate);
        }

        void swapXY() {
            Integer oldX = x.get();
            x.set(y.get());
            y.set(oldX);
            buildDate.set(Design.nextBuildDate(buildDate.get()));
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
        @SuppressWarnings("unchecked") // no generic array creation in Java
        final Ref.View<CompositePart>[] components =
                (Ref.View<CompositePart>[]) new Ref.View<?>[Design.COMPONENTS_PER_BASE_ASSEMBLY];
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
    private final class ScalaStmWorker implements Worker {
        private final Callable<Long> traverseBody = this::traverseOnce;
        private final Callable<Integer> lookUpBody = this::lookUpOnce;
        private final Callable<Integer> readBaseBody = this::readBaseOnce;
        private final Runnable swapPartBody = this::swapPartOnce;
        private final Runnable updateCompositeBody = this::updateCompositeOnce;
        private final Runnable exchangeBody = this::exchangeOnce;
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
            return STM.atomic(traverseBody);
        }

        @Override
        public int visits() {
            return visits;
        }

        @Override
        public int lookUpParts(int[] parts) {
            lookUps = parts;
            return STM.atomic(lookUpBody);
        }

        @Override
        public int readBaseAssembly(int base) {
            this.base = base;
            return STM.atomic(readBaseBody);
        }

        @Override
        public void swapPart(int part) {
            target = part;
            STM.atomic(swapPartBody);
        }

        @Override
        public void updateComposite(int composite) {
            target = composite;
            STM.atomic(updateCompositeBody);
        }

        @Override
        public void exchangeComponents(int base, int slot, int otherBase, int otherSlot) {
            this.base = base;
            this.slot = slot;
            this.otherBase = otherBase;
            this.otherSlot = otherSlot;
            STM.atomic(exchangeBody);
        }

        private long traverseOnce() {
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
                for (Ref.View<CompositePart> component : base.components) {
                    sum += traverseGraph(component.get());
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
                sum += part.x.get() + part.y.get();
                for (AtomicPart next : part.to) {
                    if (marks.visit(next.number)) {
                        stack[top++] = next;
                    }
                }
            }
            return sum;
        }

        private int lookUpOnce() {
            int mismatches = 0;
            for (int number : lookUps) {
                AtomicPart part = partsById.apply(design.key(number)); // apply, not get: no Option
                if (part.x.get() + part.y.get() != design.xPlusY(part.number)) {
                    mismatches++;
                }
            }
            return mismatches;
        }

        private int readBaseOnce() {
            int mismatches = 0;
            for (Ref.View<CompositePart> component : baseAssemblies[base].components) {
                for (AtomicPart part : component.get().parts) {
                    if (part.x.get() + part.y.get() != design.xPlusY(part.number)) {
                        mismatches++;
                    }
                }
            }
            return mismatches;
        }

        private void swapPartOnce() {
            partsById.apply(design.key(target)).swapXY();
        }

        private void updateCompositeOnce() {
            for (AtomicPart part : composites[target].parts) {
                part.swapXY();
            }
        }

        private void exchangeOnce() {
            Ref.View<CompositePart> one = baseAssemblies[base].components[slot];
            Ref.View<CompositePart> other = baseAssemblies[otherBase].components[otherSlot];
            CompositePart held = one.get();
            one.set(other.get());
            other.set(held);
        }
    }
}
