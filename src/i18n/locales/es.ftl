# Páginas y correos para quienes responden, en español.

## Fechas

deadline-mail = { $weekday } { $day } de { $month } de { $year } a las { $time } { $zone }
deadline-page = { $weekday } { $day } de { $month } de { $year }, { $time } ({ $zone })
weekday-1 = lunes
weekday-2 = martes
weekday-3 = miércoles
weekday-4 = jueves
weekday-5 = viernes
weekday-6 = sábado
weekday-7 = domingo
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre

## El cuestionario

respondent-brand = Tandem · encuesta sobre la alianza
form-title = Encuesta sobre { $partner }
form-title-error = Error:
form-heading = ¿Cómo va la alianza con { $partner }?
form-lead = Oleada { $seq } · unos 2 minutos · abierta hasta el { $deadline }. Puede volver con el mismo enlace y cambiar sus respuestas hasta entonces.
form-confidential-label = Confidencial.
form-confidential = Nadie en { $own } ni en { $partner } ve sus respuestas individuales. Los resultados solo se muestran para grupos de al menos { $min } personas. Elija «{ $dont_know }» cuando no pueda juzgar.
form-problems = Revise { $count } { $count ->
        [one] respuesta
       *[other] respuestas
    }
form-optional = (opcional)
form-send = Enviar mis respuestas
form-update = Actualizar mis respuestas
form-opt-out-question = ¿No quiere recibir estas encuestas?
form-opt-out-link = Dejar de recibir invitaciones

## Respuestas rechazadas

answer-missing = Elija una respuesta, o «{ $dont_know }».
answer-unknown-item = «{ $id }» no es una pregunta de esta encuesta.
answer-unknown-question = «{ $id }» no es una pregunta abierta de esta encuesta.
answer-twice = «{ $id }» tiene dos respuestas.
answer-nul = Esta respuesta contiene un carácter NUL, que no se puede guardar.
answer-too-long = Acorte esta respuesta a { $max } caracteres como máximo.
answer-off-scale = Elija una de las { $points } respuestas, o «{ $dont_know }».

## Páginas alrededor del cuestionario

thanks-title = Gracias: sus respuestas están guardadas
thanks-change = Puede cambiarlas con el mismo enlace hasta el { $deadline }.
thanks-private = Sus respuestas individuales nunca se muestran a nadie; solo cuentan en resultados de grupos de varias personas.
thanks-review = Revisar o cambiar mis respuestas
opt-out-title = ¿Dejar de recibir estas encuestas?
opt-out-body = No recibirá más invitaciones ni recordatorios de las encuestas de esta alianza. Las respuestas que ya dio siguen contando, de forma anónima, en los resultados de grupo.
opt-out-button = Sí, dejar de invitarme
opted-out-title = No recibirá más invitaciones
opted-out-body = Su elección está guardada. Si cambia de opinión, pida a la persona de contacto de su alianza que vuelva a invitarle.
not-found-title = Este enlace no lleva a ninguna encuesta
not-found-body = Compruebe que se copió el enlace completo de su invitación. Cada persona tiene su propio enlace; si sigue sin funcionar, pida una nueva invitación a la persona de contacto de su alianza.
closed-title = Esta encuesta está cerrada
closed-body = Esta encuesta se cerró el { $when }. Ya no se pueden dar ni cambiar respuestas.
closed-next = Recibirá un nuevo enlace cuando se abra la próxima encuesta.
foreign-title = Este formulario se envió desde otro sitio
unreadable-title = No se pudo leer el formulario
unreadable-again = Vuelva a su enlace de la encuesta y envíelo de nuevo.

## Correos a quienes responden

mail-tagline = Tandem: encuestas periódicas de una alianza cliente–proveedor.
mail-hello = Hola, { $name }:
mail-take-survey = Responder la encuesta
mail-or-open = O abra este enlace:
mail-stop = Dejar de recibir estas encuestas
invitation-subject = Su opinión sobre la alianza con { $partner } ({ $minutes } minutos, confidencial)
invitation-title = Su opinión sobre la alianza con { $partner }
invitation-intro = { $own } y { $partner } preguntan con regularidad a personas de ambas empresas cómo va su trabajo conjunto. La percepción de una alianza cambia antes que las cifras de entrega, calidad o coste, así que su opinión ayuda a ambas empresas a actuar a tiempo.
invitation-duration = La encuesta dura unos { $minutes } minutos.
invitation-duration-link = La encuesta dura unos { $minutes } minutos. Ábrala con su enlace personal:
invitation-until = Puede responder, y cambiar sus respuestas, hasta el { $deadline }.
invitation-candid-label = Por qué puede hablar con franqueza:
invitation-candid = nadie, en ninguna de las dos empresas, ve nunca sus respuestas individuales. Los resultados solo se muestran como totales de grupos de al menos { $min } personas; un grupo más pequeño nunca se muestra.
invitation-personal = El enlace es solo suyo: no reenvíe este correo.
invitation-footer = Recibe este correo porque { $own } le invitó a su encuesta de alianza con { $partner }.
reminder-subject = Recordatorio: su opinión sobre la alianza con { $partner } (hasta el { $deadline })
reminder-title = Recordatorio: su opinión sobre la alianza con { $partner }
reminder-open = Un recordatorio: la encuesta sobre la alianza entre { $own } y { $partner } está abierta hasta el { $deadline }. Dura unos { $minutes } minutos.
reminder-open-link = Un recordatorio: la encuesta sobre la alianza entre { $own } y { $partner } está abierta hasta el { $deadline }. Dura unos { $minutes } minutos:
reminder-private = Nadie ve sus respuestas individuales; los resultados solo se muestran para grupos de al menos { $min } personas.
