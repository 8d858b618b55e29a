//! Type-erased views that hydrate synchronously: [`Erase::erased`] is `.into_any()` for the
//! views inside a page.
//!
//! A lazy route hydrates asynchronously, because its code arrives after the page's HTML, and
//! an `AnyView` keeps a pointer to its type's `hydrate_async`: so every `.into_any()` compiled
//! an async hydration state machine for its whole subtree, next to the synchronous one. That
//! was the largest kind of code in the wasm (twiggy, before wasm-opt: 314 KB for the erased
//! types' `hydrate_async`, 520 KB for all of it). Once a page's code has loaded nothing below
//! it waits for more code, and its resources' values are already in the document (the pages
//! render with `SsrMode::Async`), so a page hydrates synchronously below its route, as a
//! non-lazy app does. Only a view holding an `<Outlet/>` (the project layout) must keep
//! `.into_any()`: its lazy child does wait for its code.

use leptos::prelude::*;
use leptos::tachys::html::attribute::Attribute;
use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::ssr::StreamBuilder;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::{Position, PositionState, Render, RenderHtml};

/// `.erased()`: a type-erased view without its own async hydration code.
pub trait Erase: RenderHtml + Send + Sized + 'static {
    fn erased(self) -> AnyView {
        SyncHydrate(self).into_any()
    }
}

impl<T: RenderHtml + Send + 'static> Erase for T {}

/// A view that hydrates synchronously even when an async hydration reaches it; everything
/// else is its inner view's.
pub struct SyncHydrate<T>(T);

impl<T: Render> Render for SyncHydrate<T> {
    type State = T::State;

    fn build(self) -> Self::State {
        self.0.build()
    }

    fn rebuild(self, state: &mut Self::State) {
        self.0.rebuild(state)
    }
}

impl<T: RenderHtml> AddAnyAttr for SyncHydrate<T> {
    type Output<SomeNewAttr: Attribute> = SyncHydrate<T::Output<SomeNewAttr>>;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        SyncHydrate(self.0.add_any_attr(attr))
    }
}

impl<T: RenderHtml> RenderHtml for SyncHydrate<T> {
    type AsyncOutput = SyncHydrate<T::AsyncOutput>;
    type Owned = SyncHydrate<T::Owned>;

    const MIN_LENGTH: usize = T::MIN_LENGTH;
    const EXISTS: bool = T::EXISTS;

    fn dry_resolve(&mut self) {
        self.0.dry_resolve();
    }

    async fn resolve(self) -> Self::AsyncOutput {
        SyncHydrate(self.0.resolve().await)
    }

    fn html_len(&self) -> usize {
        self.0.html_len()
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0
            .to_html_with_buf(buf, position, escape, mark_branches, extra_attrs);
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) where
        Self: Sized,
    {
        self.0.to_html_async_with_buf::<OUT_OF_ORDER>(
            buf,
            position,
            escape,
            mark_branches,
            extra_attrs,
        );
    }

    fn hydrate<const FROM_SERVER: bool>(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> Self::State {
        self.0.hydrate::<FROM_SERVER>(cursor, position)
    }

    // `hydrate_async` is the trait's own: `hydrate::<true>` in a future that is ready at once.

    fn into_owned(self) -> Self::Owned {
        SyncHydrate(self.0.into_owned())
    }
}
