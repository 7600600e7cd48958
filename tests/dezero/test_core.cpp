// The core: backward through branching graphs (book steps 13-16), gradient bookkeeping
// (retain_grad, cleargrad), Config and its guards, memory (graphs free themselves, also
// 100 000 of them in a row and one 100 000 operations deep), printing, the properties
// forwarded to the data, unchain / unchain_backward and create_graph, the graph walk and the
// observers of backward.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

namespace F = dezero::functions;
using dezero::Arrays;
using dezero::Config;
using dezero::Function;
using dezero::Variable;
using dezero::Variables;
using dztest::data_is;
using dztest::printed;
using dztest::throws_with;

Variable scalar(double v) { return Variable(np::array(v)); }

// The book's Square (step 16), which also records the order in which backward passes run.
class Square : public dezero::UnaryFunction {
 public:
  Square(std::string tag, std::vector<std::string>* log) : tag_(std::move(tag)), log_(log) {}
  np::ndarray forward(const np::ndarray& x) override { return x * x; }
  Variable backward(const Variable& gy) override {
    log_->push_back(tag_);
    return 2.0 * x() * gy;
  }

 private:
  std::string tag_;
  std::vector<std::string>* log_;
};

// Two outputs: (x * 2, x * 3), so the general form.
class TwoOutputs : public Function {
 public:
  Arrays forward(const Arrays& xs) override { return {xs[0] * 2.0, xs[0] * 3.0}; }
  Variables backward(const Variables& gys) override { return {gys[0] * 2.0 + gys[1] * 3.0}; }
};

// ===================================== branching graphs =====================================

// x -> a = x^2 -> b = a^2, c = a^2 -> y = b + c: y = 2x^4, dy/dx = 8x^3 = 64 at x = 2. Without
// the generation order, a's creator would run before c's gradient arrived (book step 16).
TEST(Core, DiamondGraphGivesTheFullGradient) {
  std::vector<std::string> log;
  const Variable x = scalar(2.0);
  const Variable a = dezero::call<Square>({x}, "a", &log);
  const Variable b = dezero::call<Square>({a}, "b", &log);
  const Variable c = dezero::call<Square>({a}, "c", &log);
  const Variable y = b + c;
  EXPECT_EQ(x.generation(), 0);
  EXPECT_EQ(a.generation(), 1);
  EXPECT_EQ(b.generation(), 2);
  EXPECT_EQ(c.generation(), 2);
  EXPECT_EQ(y.generation(), 3);
  EXPECT_EQ(y.creator()->generation(), 2);

  y.backward();
  EXPECT_TRUE(data_is(y, {}, np::float64, {32.0}));
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {64.0}));
  // b and c (generation 2, c queued last so taken first, as Python's stable sort) before a.
  EXPECT_EQ(log, (std::vector<std::string>{"c", "b", "a"}));
}

// The same diamond with the library's own pow: the gradient must not depend on which
// branch is processed first.
TEST(Core, DiamondGraphWithPow) {
  const Variable x = scalar(2.0);
  const Variable a = pow(x, 2);
  const Variable y = pow(a, 2) + pow(a, 2);
  y.backward();
  EXPECT_TRUE(data_is(y, {}, np::float64, {32.0}));
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {64.0}));
}

// Book step 14: the same variable as several inputs; its gradients add up.
TEST(Core, SameVariableUsedRepeatedly) {
  const Variable x = scalar(3.0);
  Variable y = x + x;
  y.backward({.retain_grad = true});
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {2.0}));
  // The accumulation makes a new variable: y's gradient (the one Add passed to both inputs)
  // is not changed in place (the bug of the book's first version, x.grad += gx).
  EXPECT_TRUE(data_is(y.grad(), {}, np::float64, {1.0}));

  x.cleargrad();
  y = x + x + x;
  y.backward();
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {3.0}));

  // Without cleargrad the next backward adds to the old gradient.
  y = x + x;
  y.backward();
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {5.0}));
}

TEST(Core, GradientsOfIntermediateVariablesAreDroppedUnlessRetained) {
  const Variable x0 = scalar(1.0), x1 = scalar(1.0);
  Variable t = x0 + x1;
  Variable y = x0 + t;
  y.backward();
  EXPECT_FALSE(y.grad());
  EXPECT_FALSE(t.grad());
  EXPECT_TRUE(data_is(x0.grad(), {}, np::float64, {2.0}));
  EXPECT_TRUE(data_is(x1.grad(), {}, np::float64, {1.0}));

  x0.cleargrad();
  x1.cleargrad();
  t = x0 + x1;
  y = x0 + t;
  y.backward({.retain_grad = true});
  EXPECT_TRUE(data_is(y.grad(), {}, np::float64, {1.0}));
  EXPECT_TRUE(data_is(t.grad(), {}, np::float64, {1.0}));
  EXPECT_TRUE(data_is(x0.grad(), {}, np::float64, {2.0}));
  EXPECT_TRUE(data_is(x1.grad(), {}, np::float64, {1.0}));
}

TEST(Core, CleargradForgetsTheGradient) {
  const Variable x = scalar(4.0);
  Variable y = x * x;
  y.backward();
  ASSERT_TRUE(x.grad());
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {8.0}));
  x.cleargrad();
  EXPECT_FALSE(x.grad());
  EXPECT_EQ(printed(x.grad()), "None");
}

TEST(Core, SeedGradientIsOnesOfTheOutputsShapeAndDtype) {
  const Variable x(np::array({1.0f, 2.0f, 3.0f}));
  const Variable y = x * x;
  y.backward({.retain_grad = true});
  EXPECT_TRUE(data_is(y.grad(), {3}, np::float32, {1, 1, 1}));
  EXPECT_TRUE(data_is(x.grad(), {3}, np::float32, {2, 4, 6}));
}

TEST(Core, AGradientSetBeforehandIsUsedAsTheSeed) {
  const Variable x = scalar(3.0);
  const Variable y = x * x;
  y.set_grad(scalar(10.0));
  y.backward();
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {60.0}));
}

TEST(Core, FunctionWithTwoOutputs) {
  const Variable x = scalar(5.0);
  const Variables ys = dezero::call_all<TwoOutputs>({x});
  ASSERT_EQ(ys.size(), 2u);
  EXPECT_TRUE(data_is(ys[0], {}, np::float64, {10.0}));
  EXPECT_TRUE(data_is(ys[1], {}, np::float64, {15.0}));
  EXPECT_TRUE(ys[0].creator() && ys[0].creator() == ys[1].creator());
  EXPECT_TRUE(ys[0].creator()->output(1).is(ys[1]));
  const Variable y = ys[0] + ys[1];
  y.backward();
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {5.0}));

  // One output that no longer exists cannot give its gradient.
  const Variable x2 = scalar(5.0);
  Variable kept;
  {
    kept = dezero::call_all<TwoOutputs>({x2})[0];
  }
  EXPECT_FALSE(kept.creator()->outputs()[1]);
  EXPECT_FALSE(kept.creator()->output(1));
  EXPECT_TRUE(throws_with<std::logic_error>([&] { kept.backward(); }, {"TwoOutputs"}));
}

// A Function is applied with call<F> or call_all<F> only (no public operator() that could run
// a function outside the shared_ptr its outputs must keep), and call<F> returns one output.
static_assert(!std::is_invocable_v<dezero::Add&, Variables>);
static_assert(dezero::SingleOutputFunction<dezero::Add> && dezero::SingleOutputFunction<Square>);
static_assert(!dezero::SingleOutputFunction<TwoOutputs>);

TEST(Core, CallChecksTheNumberOfOutputs) {
  EXPECT_TRUE(throws_with<std::logic_error>([] { (void)dezero::call<TwoOutputs>({scalar(1.0)}); },
                                            {"TwoOutputs", "2 outputs", "call_all"}));
  // Nothing is recorded under no_grad (the function is not kept), and the count still counts.
  const auto guard = dezero::no_grad();
  EXPECT_TRUE(throws_with<std::logic_error>([] { (void)dezero::call<TwoOutputs>({scalar(1.0)}); },
                                            {"2 outputs", "call_all"}));
  const Variables ys = dezero::call_all<TwoOutputs>({scalar(1.0)});
  EXPECT_TRUE(data_is(ys[1], {}, np::float64, {3.0}));
  EXPECT_TRUE(data_is(dezero::call<dezero::Add>({scalar(1.0), scalar(2.0)}), {}, np::float64, {3.0}));
}

TEST(Core, NoneVariableRefusesAccess) {
  const Variable none;
  EXPECT_FALSE(none);
  EXPECT_TRUE(throws_with<std::logic_error>([&] { (void)none.data(); }, {"None"}));
  EXPECT_TRUE(throws_with<std::logic_error>([&] { none.backward(); }, {"None"}));
}

// ===================================== Config ===============================================

TEST(Config, NoGradRecordsNothing) {
  const Variable x = scalar(2.0);
  const auto functions_before = Function::alive;
  {
    const auto guard = dezero::no_grad();
    EXPECT_FALSE(Config::enable_backprop);
    const Variable y = pow(x, 2) * 3.0;
    EXPECT_TRUE(data_is(y, {}, np::float64, {12.0}));
    EXPECT_FALSE(y.creator());
    EXPECT_EQ(y.generation(), 0);
    // The functions were freed as soon as they had run.
    EXPECT_EQ(Function::alive, functions_before);
  }
  EXPECT_TRUE(Config::enable_backprop);

  // With backprop enabled the output owns its creator, which goes with the output.
  std::weak_ptr<Function> creator;
  {
    const Variable y = pow(x, 2) * 3.0;
    creator = y.creator();
    EXPECT_FALSE(creator.expired());
    EXPECT_EQ(creator.lock()->type(), "Mul");
    EXPECT_EQ(Function::alive, functions_before + 2);
  }
  EXPECT_TRUE(creator.expired());
  EXPECT_EQ(Function::alive, functions_before);
}

TEST(Config, UsingConfigRestoresTheOldValue) {
  ASSERT_TRUE(Config::enable_backprop);
  {
    const auto outer = dezero::using_config("enable_backprop", false);
    EXPECT_FALSE(Config::enable_backprop);
    {
      const auto inner = dezero::using_config("enable_backprop", true);
      EXPECT_TRUE(Config::enable_backprop);
    }
    EXPECT_FALSE(Config::enable_backprop);
  }
  EXPECT_TRUE(Config::enable_backprop);
}

TEST(Config, UsingConfigRestoresTheOldValueWhenAnExceptionLeavesTheScope) {
  ASSERT_TRUE(Config::enable_backprop);
  ASSERT_TRUE(Config::train);
  try {
    const auto g1 = dezero::using_config("enable_backprop", false);
    const auto g2 = dezero::using_config("train", false);
    EXPECT_FALSE(Config::enable_backprop);
    EXPECT_FALSE(Config::train);
    // An error inside the scope: Variable + Variable with shapes that do not broadcast.
    (void)(Variable(np::zeros({2})) + Variable(np::zeros({3})));
    ADD_FAILURE() << "no exception";
  } catch (const np::shape_error&) {
  }
  EXPECT_TRUE(Config::enable_backprop);
  EXPECT_TRUE(Config::train);
}

TEST(Config, UnknownNameThrows) {
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { const auto g = dezero::using_config("enable_backprob", false); }, {"enable_backprob"}));
  EXPECT_TRUE(Config::enable_backprop);
  EXPECT_TRUE(Config::train);
}

TEST(Config, TestModeTogglesTrain) {
  ASSERT_TRUE(Config::train);
  {
    const auto guard = dezero::test_mode();
    EXPECT_FALSE(Config::train);
    EXPECT_TRUE(Config::enable_backprop);  // test mode still records graphs
  }
  EXPECT_TRUE(Config::train);
  {
    const auto guard = dezero::using_config("train", false);
    EXPECT_FALSE(Config::train);
  }
  EXPECT_TRUE(Config::train);
}

// ===================================== memory ===============================================

// Book step 17: each iteration builds a fresh graph; the old one must be freed completely
// (no cycles between functions and their outputs), so the counts stay flat.
TEST(Memory, ManyForwardBackwardPassesKeepTheCountsFlat) {
  const Variable x(np::array({1.0, 2.0, 3.0}));
  std::int64_t nodes_after_first = -1, functions_after_first = -1;
  for (int i = 1; i <= 100000; ++i) {
    const Variable y = x * x + 1.0;
    x.cleargrad();
    y.backward();
    if (i == 1) {
      nodes_after_first = dezero::detail::VariableNode::alive;
      functions_after_first = Function::alive;
      EXPECT_TRUE(data_is(x.grad(), {3}, np::float64, {2.0, 4.0, 6.0}));
    } else if (i == 100000) {
      EXPECT_EQ(dezero::detail::VariableNode::alive, nodes_after_first);
      EXPECT_EQ(Function::alive, functions_after_first);
    }
  }
  EXPECT_TRUE(data_is(x.grad(), {3}, np::float64, {2.0, 4.0, 6.0}));
}

TEST(Memory, GraphIsFreedWithItsLastVariable) {
  const auto nodes = dezero::detail::VariableNode::alive;
  const auto functions = Function::alive;
  {
    const Variable x = scalar(0.5);
    const Variable y = F::tanh(F::exp(x) * x + 2.0);
    y.backward();
    EXPECT_GT(Function::alive, functions);
  }
  EXPECT_EQ(dezero::detail::VariableNode::alive, nodes);
  EXPECT_EQ(Function::alive, functions);
}

// With create_graph, x's gradient has a graph that uses x itself (d(x*x)/dx = 2x): the cycle
// x -> grad -> Mul -> x, which Python's garbage collector would break. Here clearing the
// gradient breaks it, as step 33's Newton loop does every iteration.
TEST(Memory, RecordedGradientGraphIsFreedOnceTheGradientIsCleared) {
  const auto nodes = dezero::detail::VariableNode::alive;
  const auto functions = Function::alive;
  {
    const Variable x = scalar(0.5);
    const Variable y = F::tanh(F::exp(x) * x + 2.0);
    y.backward({.create_graph = true});
    ASSERT_TRUE(x.grad().creator());
    const Variable gx = x.grad();
    x.cleargrad();
    gx.backward();
    EXPECT_FALSE(x.grad().creator());
  }
  EXPECT_EQ(dezero::detail::VariableNode::alive, nodes);
  EXPECT_EQ(Function::alive, functions);
}

// A chain 100 000 operations long: backward works without recursion, and freeing the chain
// does not overflow the stack.
TEST(Memory, RepeatedCreateGraphPassesLeaveNothingBehind) {
  // Fourth derivatives of x^4 - 2x^2: each pass differentiates the previous gradient's graph.
  // The constants (2, 4, the seeds) keep no gradients, so once x's gradient is cleared
  // nothing is left: no cycle through a constant ties the passes together.
  const auto nodes = dezero::detail::VariableNode::alive;
  const auto funcs = Function::alive;
  {
    const Variable x(np::array({1.0, 2.0}));
    const Variable y = pow(x, 4) - 2 * pow(x, 2);
    y.backward({.create_graph = true});
    for (int order = 1; order <= 4; ++order) {
      const Variable gx = x.grad();
      x.cleargrad();
      if (order < 4) gx.backward({.create_graph = true});
      if (order == 4) {
        EXPECT_TRUE(data_is(gx, {2}, np::float64, {24.0, 24.0}));
      }
    }
  }
  EXPECT_EQ(dezero::detail::VariableNode::alive, nodes);
  EXPECT_EQ(Function::alive, funcs);
}

TEST(Constants, OperandsOfOperatorsKeepNoGradient) {
  const Variable x(np::array(3.0));
  const Variable y = 2.0 * x;
  y.backward();
  const Variable two = y.creator()->inputs()[1];
  EXPECT_TRUE(data_is(two, {}, np::float64, {2.0}));
  EXPECT_FALSE(two.grad());  // a constant
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {2.0}));
}

TEST(Memory, DeepChainIsDifferentiatedAndFreed) {
  const auto nodes = dezero::detail::VariableNode::alive;
  const auto functions = Function::alive;
  {
    const Variable x = scalar(1.0);
    Variable y = x;
    for (int i = 0; i < 100000; ++i) y = y + 1.0;
    EXPECT_TRUE(data_is(y, {}, np::float64, {100001.0}));
    EXPECT_EQ(y.generation(), 100000);
    EXPECT_EQ(Function::alive, functions + 100000);
    y.backward();
    EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {1.0}));
  }
  EXPECT_EQ(dezero::detail::VariableNode::alive, nodes);
  EXPECT_EQ(Function::alive, functions);
}

// ===================================== printing =============================================

TEST(Printing, Variable) {
  EXPECT_EQ(printed(scalar(1.0)), "variable(1.0)");
  EXPECT_EQ(printed(Variable(np::array(0.7071067811865477))), "variable(0.7071067811865477)");
  EXPECT_EQ(printed(Variable(np::array(21))), "variable(21)");
  EXPECT_EQ(printed(Variable(np::array({1.0, 2.0, 3.0}))), "variable([1. 2. 3.])");
  EXPECT_EQ(printed(Variable(np::ndarray())), "variable(None)");
  EXPECT_EQ(printed(Variable()), "None");
  EXPECT_EQ(printed(Variable(np::array({{1, 2, 3}, {4, 5, 6}}))),
            "variable([[1 2 3]\n          [4 5 6]])");
  // Every newline gets the nine spaces, also the empty line between the blocks of a 3-D array.
  EXPECT_EQ(
      printed(Variable(np::arange(8).reshape({2, 2, 2}))),
      "variable([[[0 1]\n           [2 3]]\n         \n          [[4 5]\n           [6 7]]])");
  EXPECT_EQ(printed(Variable(np::array({{-0.5, 1.25}}))), "variable([[-0.5   1.25]])");
}

// ===================================== properties ===========================================

TEST(Properties, ForwardedToTheData) {
  const Variable x(np::array({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}), "x");
  EXPECT_EQ(x.shape(), (np::Shape{2, 3}));
  EXPECT_EQ(x.ndim(), 2);
  EXPECT_EQ(x.size(), 6);
  EXPECT_EQ(x.dtype(), np::float64);
  EXPECT_EQ(x.len(), 2);
  EXPECT_EQ(x.name(), "x");

  const Variable v(np::zeros({4, 1, 5}, np::float32));
  EXPECT_EQ(v.shape(), (np::Shape{4, 1, 5}));
  EXPECT_EQ(v.ndim(), 3);
  EXPECT_EQ(v.size(), 20);
  EXPECT_EQ(v.dtype(), np::float32);
  EXPECT_EQ(v.len(), 4);
  EXPECT_EQ(v.name(), "");
  // Reading a name allocates nothing: the unnamed share one empty string.
  EXPECT_EQ(&v.name(), &Variable(np::array(1.0)).name());
  v.set_name("v");
  EXPECT_EQ(v.name(), "v");
  v.set_name("");
  EXPECT_EQ(&v.name(), &scalar(0.0).name());

  const Variable s(np::array(3));
  EXPECT_EQ(s.shape(), np::Shape{});
  EXPECT_EQ(s.ndim(), 0);
  EXPECT_EQ(s.size(), 1);
  EXPECT_EQ(s.dtype(), np::int64);
  EXPECT_THROW((void)s.len(), np::shape_error);  // len() of a 0-d array is a TypeError in Python
  EXPECT_EQ(s.item(), 3.0);                      // the book's float(x.data)
  EXPECT_EQ(Variable(np::array({2.5}, np::float32)).item(), 2.5);
}

// type() is the class name without namespaces, as the book's graphs show __class__.__name__,
// for the library's functions, a function written in a test and the optimizers and layers.
TEST(Properties, TypeIsTheClassName) {
  std::vector<std::string> log;
  EXPECT_EQ(dezero::call<Square>({scalar(2.0)}, "t", &log).creator()->type(), "Square");
  EXPECT_EQ(F::min(Variable(np::array({1.0, 2.0}))).creator()->type(), "Min");
  EXPECT_EQ(dezero::optimizers::Adam().type(), "Adam");
  EXPECT_EQ(dezero::layers::Linear(2).type(), "Linear");
}

TEST(Properties, HandlesShareOneNode) {
  const Variable x = scalar(1.0);
  const Variable alias = x;
  EXPECT_TRUE(alias.is(x));
  EXPECT_EQ(alias.id(), x.id());
  alias.set_name("shared");
  EXPECT_EQ(x.name(), "shared");
  EXPECT_FALSE(scalar(1.0).is(x));

  const dezero::Parameter p(np::array(2.0), "p");
  const Variable y = p * x;
  y.backward();
  EXPECT_TRUE(data_is(p.grad(), {}, np::float64, {1.0}));
  EXPECT_TRUE(y.creator()->input(0).is(p));
}

// ===================================== unchain ==============================================

TEST(Unchain, CutsTheGraphAboveOneVariable) {
  const Variable x = scalar(2.0);
  const Variable y = x * 3.0;
  const Variable z = y + 1.0;
  const std::weak_ptr<Function> mul = y.creator();
  y.unchain();
  EXPECT_FALSE(y.creator());
  EXPECT_TRUE(mul.expired());  // nothing else owned it
  ASSERT_TRUE(z.creator());
  EXPECT_EQ(z.creator()->type(), "Add");
  z.backward({.retain_grad = true});
  EXPECT_TRUE(data_is(y.grad(), {}, np::float64, {1.0}));
  EXPECT_FALSE(x.grad());
}

TEST(Unchain, UnchainBackwardCutsEveryCreatorUpstream) {
  const Variable x = scalar(0.5);
  const Variable a = x * 2.0;
  const Variable b = a + 1.0;
  const Variable c = F::sin(b);
  const Variable y = c * 3.0;
  const std::weak_ptr<Function> fa = a.creator(), fb = b.creator(), fc = c.creator();
  const std::weak_ptr<Function> fy = y.creator();

  y.unchain_backward();
  EXPECT_FALSE(a.creator());
  EXPECT_FALSE(b.creator());
  EXPECT_FALSE(c.creator());
  EXPECT_TRUE(fa.expired());
  EXPECT_TRUE(fb.expired());
  EXPECT_TRUE(fc.expired());
  // The variable itself keeps its creator (as in the book).
  EXPECT_FALSE(fy.expired());
  EXPECT_TRUE(y.creator() == fy.lock());

  y.backward({.retain_grad = true});
  EXPECT_TRUE(data_is(c.grad(), {}, np::float64, {3.0}));
  EXPECT_FALSE(b.grad());
  EXPECT_FALSE(x.grad());
}

// ===================================== create_graph =========================================

TEST(CreateGraph, BackwardRecordsTheGradientsGraphOnlyWhenAsked) {
  const Variable x = scalar(2.0);
  Variable y = pow(x, 3);
  y.backward();
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {12.0}));
  EXPECT_FALSE(x.grad().creator());
  EXPECT_TRUE(Config::enable_backprop);

  x.cleargrad();
  y = pow(x, 3);
  y.backward({.create_graph = true});
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {12.0}));
  ASSERT_TRUE(x.grad().creator());
  EXPECT_EQ(x.grad().creator()->type(), "Mul");
  EXPECT_GT(x.grad().generation(), 0);
  EXPECT_TRUE(Config::enable_backprop);

  // The recorded gradient can be differentiated: d(3x^2)/dx = 6x = 12.
  const Variable gx = x.grad();
  x.cleargrad();
  gx.backward();
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {12.0}));
}

TEST(CreateGraph, DecidesForTheBackwardPassAlsoUnderNoGrad) {
  // backward sets enable_backprop to create_graph while it runs (using_config in the book),
  // whatever the setting outside, and restores the outside setting afterwards.
  const Variable x = scalar(2.0);
  const Variable y = x * x;
  {
    const auto guard = dezero::no_grad();
    y.backward({.create_graph = true});
    EXPECT_FALSE(Config::enable_backprop);
  }
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {4.0}));
  EXPECT_TRUE(x.grad().creator());
  x.cleargrad();  // the recorded gradient refers back to x: a cycle until it is cleared
}

// ===================================== graph walks and observers ============================

// The names of the functions a GraphWalk from y takes, following every input.
std::vector<std::string> walk_names(const Variable& y, dezero::GraphWalk::Order order) {
  std::vector<std::string> names;
  dezero::GraphWalk walk(order);
  walk.add(y.creator());
  while (const auto f = walk.next()) {
    names.push_back(f->type());
    for (const Variable& x : f->inputs()) walk.add(x.creator());
  }
  return names;
}

// x -> Sin -> Exp -> Add <- Cos <- x: by generation, Exp (generation 1) before the two of
// generation 0, and among those Sin, queued last; last in first out, Cos (queued after Exp)
// first. A function reached twice (Sin, through both inputs of Mul) is taken once.
TEST(Core, GraphWalkOrders) {
  using Order = dezero::GraphWalk::Order;
  const Variable x = scalar(0.5);
  const Variable z = F::exp(F::sin(x)) + F::cos(x);
  EXPECT_EQ(walk_names(z, Order::generation),
            (std::vector<std::string>{"Add", "Exp", "Sin", "Cos"}));
  EXPECT_EQ(walk_names(z, Order::lifo), (std::vector<std::string>{"Add", "Cos", "Exp", "Sin"}));
  const Variable a = F::sin(x);
  EXPECT_EQ(walk_names(a * a, Order::generation), (std::vector<std::string>{"Mul", "Sin"}));
  EXPECT_EQ(walk_names(a * a, Order::lifo), (std::vector<std::string>{"Mul", "Sin"}));
  // a variable without a creator: nothing to take
  EXPECT_TRUE(walk_names(x, Order::lifo).empty());
}

struct Observed {
  int calls = 0;
  const void* output = nullptr;
  bool retain_grad = false;
};
Observed observed;
void observe(const Variable& output, const dezero::BackwardOptions& options) {
  ++observed.calls;
  observed.output = output.id();
  observed.retain_grad = options.retain_grad;
}

// An observer sees every backward pass when it has finished, with its variable and options.
TEST(Core, BackwardObserversSeeEveryPass) {
  dezero::add_backward_observer(&observe);
  const int before = observed.calls;
  const Variable x = scalar(3.0);
  const Variable y = x * x;
  y.backward({.retain_grad = true});
  EXPECT_EQ(observed.calls, before + 1);
  EXPECT_EQ(observed.output, y.id());
  EXPECT_TRUE(observed.retain_grad);
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {6.0}));  // the gradients were there already
  x.cleargrad();
  (x * 2.0).backward();
  EXPECT_EQ(observed.calls, before + 2);
  EXPECT_FALSE(observed.retain_grad);
  dezero::remove_backward_observer(&observe);
  (x * 2.0).backward();
  EXPECT_EQ(observed.calls, before + 2);
}

// ===================================== unreadable gradients =================================

// A product that records what backward was asked to compute, and computes only that.
class SpyMatMul : public dezero::BinaryFunction {
 public:
  explicit SpyMatMul(std::vector<bool>* asked) : asked_(asked) {}
  np::ndarray forward(const np::ndarray& x, const np::ndarray& W) override { return x.dot(W); }
  Gradients backward(const Variable& gy) override {
    asked_->assign({needs_input_grad(0), needs_input_grad(1)});
    Variable gx, gW;
    if (needs_input_grad(0)) gx = F::matmul(gy, x1().T());
    if (needs_input_grad(1)) gW = F::matmul(x0().T(), gy);
    return {gx, gW};
  }

 private:
  std::vector<bool>* asked_;
};

const np::ndarray batch = np::array(std::vector<double>{1, 2, 3, 4, 5, 6}, np::Shape{2, 3});
const np::ndarray weights = np::array(std::vector<double>{1, -1, 0.5, 2, -0.5, 1}, np::Shape{3, 2});

// An array passed where a Variable is expected is wrapped by the call, and nobody holds that
// Variable: its gradient cannot be read, so backward is told not to compute it. A Variable the
// program holds, or a function's output, gets its gradient as before.
TEST(UnreadableGradients, ANakedArrayIsNotDifferentiated) {
  std::vector<bool> asked;
  const Variable W(weights);
  {
    const Variable y = dezero::call<SpyMatMul>({batch, W}, &asked);
    EXPECT_TRUE(y.creator()->needs_input_grad(0));  // true outside backward
    F::sum(y).backward();
    EXPECT_EQ(asked, (std::vector<bool>{false, true}));
    EXPECT_FALSE(y.creator()->inputs()[0].grad());
    // x^T gy with gy all ones: each column of gW is the column sums of the batch
    EXPECT_TRUE(data_is(W.grad(), {3, 2}, np::float64, {5, 5, 7, 7, 9, 9}));
    EXPECT_TRUE(y.creator()->needs_input_grad(0));  // and again after it
  }
  W.cleargrad();
  const Variable x(batch);  // held: its gradient is read below
  const Variable y = dezero::call<SpyMatMul>({x, W}, &asked);
  F::sum(y).backward();
  EXPECT_EQ(asked, (std::vector<bool>{true, true}));
  // gy W^T: each row is W's row sums
  EXPECT_TRUE(data_is(x.grad(), {2, 3}, np::float64, {0, 2.5, 0.5, 0, 2.5, 0.5}));
  EXPECT_TRUE(data_is(W.grad(), {3, 2}, np::float64, {5, 5, 7, 7, 9, 9}));
}

TEST(UnreadableGradients, OutputsAndConstantsAndSharedArrays) {
  std::vector<bool> asked;
  const Variable W(weights);
  // An output of another function: its gradient flows on to x, so it is needed.
  const Variable x(batch);
  Variable y = dezero::call<SpyMatMul>({x * 1.0, W}, &asked);
  F::sum(y).backward();
  EXPECT_EQ(asked, (std::vector<bool>{true, true}));
  EXPECT_TRUE(x.grad());
  // A constant operand (the 2 in W * 2) is never differentiated.
  y = dezero::call<SpyMatMul>({W.T(), dezero::constant(np::eye(3, np::float64) * 2.0)}, &asked);
  F::sum(y).backward();
  EXPECT_EQ(asked, (std::vector<bool>{true, false}));
  // One variable as both operands, held only by the input list (twice): nothing to compute,
  // so backward does not run; held by the program too, both gradients are computed.
  const np::ndarray square = np::array(std::vector<double>{1, 2, 3, 4}, np::Shape{2, 2});
  Variable both(square);
  y = dezero::call<SpyMatMul>({both, both}, &asked);
  both = Variable();
  asked.clear();
  F::sum(y).backward();
  EXPECT_TRUE(asked.empty());
  both = Variable(square);
  y = dezero::call<SpyMatMul>({both, both}, &asked);
  F::sum(y).backward();
  EXPECT_EQ(asked, (std::vector<bool>{true, true}));
  // (gy W^T + x^T gy) with gy all ones: row sums plus column sums
  EXPECT_TRUE(data_is(both.grad(), {2, 2}, np::float64, {7, 11, 9, 13}));
}

// A function whose only input is unreadable is not run backward at all, and the results for
// the readable ones are the same bits as when every gradient is computed.
TEST(UnreadableGradients, SkippingChangesNoReadableGradient) {
  std::vector<std::string> log;
  const Variable y = dezero::call<Square>({batch}, "square", &log);
  F::sum(y).backward();
  EXPECT_TRUE(log.empty());

  const Variable W(np::random::randn({3, 4}).astype(np::float32));
  const Variable b(np::random::randn({4}).astype(np::float32));
  const np::ndarray x32 = np::random::randn({5, 3}).astype(np::float32);
  const auto loss = [&](const Variable& x) { return F::sum(F::sigmoid(F::linear(x, W, b))); };
  loss(x32).backward();  // the batch wrapped
  const np::ndarray gW = W.grad().data(), gb = b.grad().data();
  W.cleargrad();
  b.cleargrad();
  const Variable held(x32);
  loss(held).backward();
  EXPECT_TRUE(held.grad());
  EXPECT_TRUE(np::array_equal(W.grad().data(), gW));
  EXPECT_TRUE(np::array_equal(b.grad().data(), gb));
}

// While an observer watches backward (DEZERO_GRAPH draws every gradient), the wrapped array's
// gradient is computed and kept as the book keeps it.
TEST(UnreadableGradients, AnObserverSeesEveryGradient) {
  std::vector<bool> asked;
  const Variable W(weights);
  dezero::add_backward_observer(&observe);
  const Variable y = dezero::call<SpyMatMul>({batch, W}, &asked);
  F::sum(y).backward();
  dezero::remove_backward_observer(&observe);
  EXPECT_EQ(asked, (std::vector<bool>{true, true}));
  EXPECT_TRUE(data_is(y.creator()->inputs()[0].grad(), {2, 3}, np::float64,
                      {0, 2.5, 0.5, 0, 2.5, 0.5}));
}

}  // namespace
